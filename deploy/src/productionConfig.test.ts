import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEPLOY_DIR } from './paths';

const read = (file: string) =>
  parse(readFileSync(path.resolve(DEPLOY_DIR, '..', file), 'utf8'));

/** Every `demo.enabled: true` under the config, by its dotted path. */
function demosOn(config: unknown, prefix = ''): string[] {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return [];
  return Object.entries(config).flatMap(([key, value]) => {
    const at = `${prefix}${key}`;
    if (key === 'demo' && (value as { enabled?: unknown })?.enabled === true) {
      return [at];
    }
    return demosOn(value, `${at}.`);
  });
}

function get(config: unknown, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        node && typeof node === 'object'
          ? (node as Record<string, unknown>)[key]
          : undefined,
      config,
    );
}

describe('app-config.production.yaml', () => {
  const base = read('app-config.yaml');
  const production = read('app-config.production.yaml');

  it('turns off every demo the base config turns on', () => {
    const demos = demosOn(base);
    expect(demos.length).toBeGreaterThan(0);
    const leftOn = demos.filter(
      demo => get(production, `${demo}.enabled`) !== false,
    );
    expect(leftOn).toEqual([]);
  });

  it('registers catalog files relative to the image, not to packages/backend', () => {
    const targets = (production.catalog?.locations ?? []).map(
      (location: { target: string }) => location.target,
    );
    expect(targets).toEqual(['templates/all.yaml']);
  });
});
