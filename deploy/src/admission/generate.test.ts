import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Environment } from '@marcbachmann/cel-js';
import { findViolations, readHardeningRules } from '../hardening';
import { parseYamlDocuments, renderKustomize } from '../kustomize';
import { validateKubernetesObjects } from '../models';
import { ADMISSION_DIR, DEPLOY_DIR } from '../paths';
import {
  celLiteral,
  generateAdmissionPolicies,
  paramsAsVariable,
  readPolicySettings,
  writeAdmissionPolicies,
} from './generate';

const rules = readHardeningRules();
const settings = readPolicySettings();
const generated = generateAdmissionPolicies(rules, settings);
const parsed = (name: string) => parseYamlDocuments(generated[name]);

if (process.env.UPDATE_ADMISSION) writeAdmissionPolicies();

/** Workloads to judge: our rendered production overlay and every bad one. */
const BAD_DIR = path.join(DEPLOY_DIR, 'testdata/bad');
const workloads = [
  ...renderKustomize(path.join(DEPLOY_DIR, 'overlays/production')),
  ...readdirSync(BAD_DIR).flatMap(f =>
    parseYamlDocuments(readFileSync(path.join(BAD_DIR, f), 'utf8')),
  ),
].filter(o => rules.workloadKinds.includes(o.kind));

/** The rule ids the collector-style evaluation fails on a workload. */
const expected = (object: unknown) =>
  findViolations([object as any], rules, settings.params)
    .map(v => v.rule)
    .sort();

type Check = {
  variables: Array<{ name: string; expression: string }>;
  expression: string;
  message: string;
};

/** Evaluates admission CEL as an engine would: variables in order, then the check. */
function failing(checks: Check[], object: unknown, preset = {}): string[] {
  const env = new Environment()
    .registerVariable('object', 'map')
    .registerVariable('variables', 'map');
  return checks
    .filter(check => {
      const variables: Record<string, unknown> = { ...preset };
      try {
        for (const v of check.variables) {
          variables[v.name] = env.evaluate(v.expression, { object, variables });
        }
        return env.evaluate(check.expression, { object, variables }) !== true;
      } catch {
        return true;
      }
    })
    .map(check => check.message.split(':')[0])
    .sort();
}

describe('the admission policies', () => {
  it('are checked in exactly as the generator writes them', () => {
    for (const [name, text] of Object.entries(generated)) {
      expect(readFileSync(path.join(ADMISSION_DIR, name), 'utf8')).toBe(text);
    }
    expect(readdirSync(ADMISSION_DIR).sort()).toEqual(
      Object.keys(generated).sort(),
    );
  });

  it('give a ValidatingAdmissionPolicy and Binding valid for Kubernetes', () => {
    const objects = parsed('validating-admission-policy.yaml');
    expect(objects.map(o => o.kind)).toEqual([
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
    expect(validateKubernetesObjects(objects)).toEqual([]);
  });

  it('judge every workload as the rules do: ValidatingAdmissionPolicy', () => {
    const [policy] = parsed('validating-admission-policy.yaml');
    const checks = policy.spec.validations.map((v: any) => ({
      ...v,
      variables: policy.spec.variables,
    }));
    for (const object of workloads) {
      expect(failing(checks, object)).toEqual(expected(object));
    }
  });

  it('judge every workload as the rules do: Kyverno validate.cel', () => {
    const [policy] = parsed('kyverno-cluster-policies.yaml');
    const checks = policy.spec.rules.map((r: any) => ({
      ...r.validate.cel.expressions[0],
      variables: r.validate.cel.variables,
    }));
    for (const object of workloads) {
      expect(failing(checks, object)).toEqual(expected(object));
    }
  });

  it('judge every workload as the rules do: Gatekeeper K8sNativeValidation', () => {
    const templates = parsed('gatekeeper-templates.yaml');
    const constraints = parsed('gatekeeper-constraints.yaml');
    expect(constraints.map(c => c.kind)).toEqual(
      templates.map(t => t.spec.crd.spec.names.kind),
    );
    for (const template of templates) {
      expect(template.metadata.name).toBe(
        template.spec.crd.spec.names.kind.toLowerCase(),
      );
    }
    const checks = templates.map(t => {
      const [code] = t.spec.targets[0].code;
      expect(code.engine).toBe('K8sNativeValidation');
      return {
        ...code.source.validations[0],
        variables: code.source.variables,
      };
    });
    for (const object of workloads) {
      expect(
        failing(checks, object, { params: constraints[0].spec.parameters }),
      ).toEqual(expected(object));
    }
  });

  it('check signatures and the SBOM attestation with Kyverno verifyImages', () => {
    const [, images] = parsed('kyverno-cluster-policies.yaml');
    const [verify] = images.spec.rules[0].verifyImages;
    expect(verify).toMatchObject({
      verifyDigest: true,
      required: true,
      imageReferences: settings.imageSignatures.imageReferences,
      attestations: [{ type: 'https://cyclonedx.org/bom' }],
    });
  });

  it('cover bad workloads for every rule and our own with none', () => {
    const judged = workloads.map(expected);
    expect(new Set(judged.flat())).toEqual(new Set(rules.rules.map(r => r.id)));
    expect(
      workloads
        .filter(o => o.metadata.namespace === 'ops-portal')
        .map(expected),
    ).toEqual([[], []]);
  });
});

describe('celLiteral and paramsAsVariable', () => {
  it('write JSON values as CEL and move params under variables', () => {
    expect(celLiteral({ a: ['x', "it's"], n: 2, b: true })).toBe(
      '{"a": ["x", "it\'s"], "n": 2, "b": true}',
    );
    expect(
      paramsAsVariable('params.a.exists(r, x.params.b) && variables.params.c'),
    ).toBe('variables.params.a.exists(r, x.params.b) && variables.params.c');
  });
});
