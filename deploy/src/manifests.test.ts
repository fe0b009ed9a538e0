import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findViolations, readHardeningRules } from './hardening';
import { parseYamlDocuments, renderKustomize } from './kustomize';
import { validateKubernetesObjects } from './models';
import { namespacesWithoutNetworkPolicy } from './networkPolicy';
import { readPolicySettings } from './admission/generate';
import { DEPLOY_DIR } from './paths';

const rules = readHardeningRules();
const { params } = readPolicySettings();
const BAD_DIR = path.join(DEPLOY_DIR, 'testdata/bad');
const NETWORK_RULE = 'network-policy-in-production';

const rendered = {
  base: renderKustomize(path.join(DEPLOY_DIR, 'base')),
  production: renderKustomize(path.join(DEPLOY_DIR, 'overlays/production')),
};

function byKind(objects: Record<string, any>[], kind: string, name: string) {
  return objects.find(o => o.kind === kind && o.metadata.name === name)!;
}

describe.each(Object.entries(rendered))('the %s manifests', (_, objects) => {
  it('render the portal backend and its workers', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'Deployment/ops-portal-backend',
        'Deployment/ops-portal-worker',
        'Service/ops-portal-backend',
        'HorizontalPodAutoscaler/ops-portal-backend',
        'HorizontalPodAutoscaler/ops-portal-worker',
        'PodDisruptionBudget/ops-portal-backend',
        'NetworkPolicy/ops-portal',
        'ServiceAccount/ops-portal',
      ]),
    );
  });

  it('validate against the Kubernetes schemas (kubernetes-models)', () => {
    expect(validateKubernetesObjects(objects)).toEqual([]);
  });

  it('break none of the hardening rules', () => {
    expect(findViolations(objects, rules, params)).toEqual([]);
    expect(namespacesWithoutNetworkPolicy(objects)).toEqual([]);
  });

  it('scale the backend 3-20 on CPU 70% and memory 80%; workers have ops.api false', () => {
    const hpa = byKind(
      objects,
      'HorizontalPodAutoscaler',
      'ops-portal-backend',
    );
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
    expect(
      hpa.spec.metrics.map((m: any) => [
        m.resource.name,
        m.resource.target.averageUtilization,
      ]),
    ).toEqual([
      ['cpu', 70],
      ['memory', 80],
    ]);
    const worker = byKind(objects, 'Deployment', 'ops-portal-worker');
    expect(worker.spec.template.spec.containers[0].env).toContainEqual({
      name: 'APP_CONFIG_ops_api',
      value: 'false',
    });
    const backend = byKind(objects, 'Deployment', 'ops-portal-backend');
    expect(backend.spec.replicas).toBe(3);
    expect(backend.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it('take no secret as a literal: only from the Secret', () => {
    for (const d of objects.filter(o => o.kind === 'Deployment')) {
      const [container] = d.spec.template.spec.containers;
      expect(container.envFrom).toContainEqual({
        secretRef: { name: 'ops-portal-secrets' },
      });
    }
    expect(objects.some(o => o.kind === 'Secret')).toBe(false);
  });
});

describe('the production overlay', () => {
  it('runs in a production namespace with a default-deny NetworkPolicy and the release digest', () => {
    const objects = rendered.production;
    const namespace = byKind(objects, 'Namespace', 'ops-portal');
    expect(namespace.metadata.labels['ops.portal/environment']).toBe(
      'production',
    );
    expect(
      byKind(objects, 'NetworkPolicy', 'default-deny-all').metadata.namespace,
    ).toBe('ops-portal');
    const images = objects
      .filter(o => o.kind === 'Deployment')
      .map(o => o.spec.template.spec.containers[0].image);
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(
      /^registry\.example\.com\/ops-portal\/backend@sha256:[0-9a-f]{64}$/,
    );
    expect(images[0]).not.toBe(
      rendered.base.find(o => o.kind === 'Deployment')!.spec.template.spec
        .containers[0].image,
    );
  });

  it('would be flagged without its NetworkPolicies', () => {
    const stripped = rendered.production.filter(
      o => o.kind !== 'NetworkPolicy',
    );
    expect(namespacesWithoutNetworkPolicy(stripped)).toEqual(['ops-portal']);
  });
});

describe('validateKubernetesObjects', () => {
  it('reports an object that breaks its schema, and an unknown kind', () => {
    const failures = validateKubernetesObjects([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ok' } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
        spec: { replicas: 'three' },
      },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ]);
    expect(failures.map(f => f.index)).toEqual([1, 2]);
    expect(failures[1].error).toMatch(/no example.com\/v1 Widget/);
  });
});

describe('the deliberately bad manifests', () => {
  const files = readdirSync(BAD_DIR).filter(f => f.endsWith('.yaml'));

  it('cover every rule, and the NetworkPolicy check, once each', () => {
    expect(files.map(f => f.replace(/\.yaml$/, '')).sort()).toEqual(
      [...rules.rules.map(r => r.id), NETWORK_RULE].sort(),
    );
  });

  const read = (file: string) =>
    parseYamlDocuments(readFileSync(path.join(BAD_DIR, file), 'utf8'));

  it('are valid Kubernetes objects (bad only by the rules)', () => {
    expect(validateKubernetesObjects(files.flatMap(read))).toEqual([]);
  });

  it.each(files)('%s breaks exactly its own rule', file => {
    const rule = file.replace(/\.yaml$/, '');
    const objects = read(file);
    const found = findViolations(objects, rules, params).map(v => v.rule);
    const missingPolicy = namespacesWithoutNetworkPolicy(objects);
    const isNetworkRule = rule === NETWORK_RULE;
    expect(found).toEqual(isNetworkRule ? [] : [rule]);
    expect(missingPolicy).toEqual(isNetworkRule ? ['bad-production'] : []);
  });
});
