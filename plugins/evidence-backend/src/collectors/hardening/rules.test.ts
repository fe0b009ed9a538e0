import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  HardeningRulesError,
  loadHardeningRules,
  parseHardeningRules,
} from './rules';

function rulesFile(rule: Record<string, string>, extra = ''): string {
  const lines = Object.entries({
    id: 'sample',
    title: 'Sample',
    scope: 'container',
    severity: 'low',
    expression: 'has(container.image)',
    message: 'Fix it.',
    ...rule,
  }).map(
    ([k, v], i) => `${i === 0 ? '  - ' : '    '}${k}: ${JSON.stringify(v)}`,
  );
  return [
    'apiVersion: ops.portal/v1alpha1',
    'kind: HardeningRules',
    'workloadKinds: [Deployment]',
    extra,
    'rules:',
    ...lines,
    '',
  ].join('\n');
}

describe('parseHardeningRules', () => {
  it('compiles a good file and derives the pod form of a container rule', () => {
    const set = parseHardeningRules(rulesFile({}), 'good.yaml');
    expect(set.rules[0].podExpression).toBe(
      'variables.containers.all(container, has(container.image))',
    );
    expect(set.params).toEqual({});
    expect(set.source.name).toBe('good.yaml');
  });

  it('refuses CEL that does not parse, naming the rule', () => {
    expect(() =>
      parseHardeningRules(rulesFile({ expression: 'has(container.image' })),
    ).toThrow(/rule "sample": the CEL expression does not parse/);
  });

  it('refuses CEL that does not type-check', () => {
    expect(() =>
      parseHardeningRules(rulesFile({ expression: 'workload.spec.x == 1' })),
    ).toThrow(HardeningRulesError);
    expect(() =>
      parseHardeningRules(rulesFile({ expression: '1 + "a" == 2' })),
    ).toThrow(/does not type-check/);
  });

  it('refuses a rule that does not return a bool', () => {
    expect(() =>
      parseHardeningRules(rulesFile({ expression: '"yes"' })),
    ).toThrow(/returns string, not bool/);
  });

  it('refuses a broken variable', () => {
    expect(() =>
      parseHardeningRules(
        rulesFile(
          {},
          'variables:\n  - name: podSpec\n    expression: "object.spec.("',
        ),
      ),
    ).toThrow(/variable "podSpec"/);
  });

  it('refuses a bad shape: unknown scope, missing message, duplicate id', () => {
    expect(() => parseHardeningRules(rulesFile({ scope: 'node' }))).toThrow(
      /rules\.0\.scope/,
    );
    expect(() => parseHardeningRules(rulesFile({ message: '' }))).toThrow(
      /rules\.0\.message/,
    );
    const twice = rulesFile({}).replace(
      /rules:\n([\s\S]*)$/,
      (_m, body) => `rules:\n${body}${body}`,
    );
    expect(() => parseHardeningRules(twice)).toThrow(/used twice/);
  });

  it('refuses a file that is not YAML', () => {
    expect(() => parseHardeningRules('rules: [unclosed', 'x.yaml')).toThrow(
      /x\.yaml: not valid YAML/,
    );
  });
});

describe('loadHardeningRules', () => {
  it('reads a file from a path and names it in errors', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rules-'));
    try {
      const file = path.join(dir, 'broken.yaml');
      await fs.writeFile(file, rulesFile({ expression: 'container.(' }));
      await expect(loadHardeningRules(file)).rejects.toThrow(
        new RegExp(
          `${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: rule "sample"`,
        ),
      );
      await expect(
        loadHardeningRules(path.join(dir, 'missing.yaml')),
      ).rejects.toThrow(/Cannot read the hardening rules/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
