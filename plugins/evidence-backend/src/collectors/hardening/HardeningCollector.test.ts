import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import type { CollectorContext } from '@internal/plugin-evidence-node';
import {
  createHardeningCollector,
  type HardeningReport,
} from './HardeningCollector';
import {
  createManifestReader,
  parseManifests,
  readManifestsFromDisk,
} from './manifests';

const DIGEST = `@sha256:${'b'.repeat(64)}`;

const HARDENED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: api
          image: ghcr.io/acme/api${DIGEST}
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
          resources:
            limits: { cpu: 500m, memory: 256Mi }
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  ports: [{ port: 80 }]
`;

const BROKEN = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  labels: { app: [unclosed
`;

function context(entityRef?: string) {
  const lines: string[] = [];
  const ctx: CollectorContext = {
    log: line => lines.push(line),
    signal: new AbortController().signal,
    now: new Date('2026-12-03T10:00:00Z'),
    entityRef,
    previous: async () => undefined,
  };
  return { ctx, lines };
}

function component(name: string, manifests?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      ...(manifests
        ? { annotations: { 'ops.portal/manifests': manifests } }
        : {}),
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

describe('parseManifests', () => {
  it('reports a malformed document with its file and line and reads the others', () => {
    const { objects, errors } = parseManifests([
      {
        path: 'k8s/all.yaml',
        content: `${SERVICE}---\n${BROKEN}---\n${HARDENED}`,
      },
      { path: 'k8s/other.yaml', content: HARDENED },
    ]);
    expect(objects.map(o => [o.file, o.line, o.object.kind])).toEqual([
      ['k8s/all.yaml', 1, 'Service'],
      ['k8s/all.yaml', 14, 'Deployment'],
      ['k8s/other.yaml', 1, 'Deployment'],
    ]);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.file).toBe('k8s/all.yaml');
      // The flow collection opened on line 12 and never closed is reported
      // where the parser notices it.
      expect(error.line).toBeGreaterThanOrEqual(12);
      expect(error.line).toBeLessThanOrEqual(13);
    }
  });

  it('reports a document that is not a Kubernetes object and expands a List', () => {
    const { objects, errors } = parseManifests([
      {
        path: 'x.yaml',
        content: `just: values\n---\napiVersion: v1\nkind: List\nitems:\n  - kind: Pod\n    metadata: { name: a }\n  - kind: Pod\n    metadata: { name: b }\n---\n`,
      },
    ]);
    expect(errors).toEqual([
      { file: 'x.yaml', line: 1, message: expect.stringMatching(/no kind/) },
    ]);
    expect(objects.map(o => (o.object.metadata as any).name)).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('readManifestsFromDisk', () => {
  let root: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'manifests-'));
    await fs.mkdir(path.join(root, 'svc/base'), { recursive: true });
    await fs.writeFile(path.join(root, 'svc/base/b.yml'), SERVICE);
    await fs.writeFile(path.join(root, 'svc/a.yaml'), HARDENED);
    await fs.writeFile(path.join(root, 'svc/README.md'), '# not a manifest');
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('reads a folder of YAML files in name order, or one file', async () => {
    expect((await readManifestsFromDisk(root, 'svc')).map(f => f.path)).toEqual(
      ['svc/a.yaml', 'svc/base/b.yml'],
    );
    const [one] = await readManifestsFromDisk(root, './svc/a.yaml');
    expect(one).toEqual({ path: 'svc/a.yaml', content: HARDENED });
  });

  it('refuses locations outside the root and says when nothing is there', async () => {
    await expect(readManifestsFromDisk(root, '../etc')).rejects.toThrow(
      /not inside the manifests root/,
    );
    await expect(readManifestsFromDisk(root, '/etc/passwd')).rejects.toThrow(
      /not inside the manifests root/,
    );
    await expect(readManifestsFromDisk(root, 'nope')).rejects.toThrow(
      /No manifests at "nope"/,
    );
  });
});

describe('createHardeningCollector', () => {
  let root: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'hardening-'));
    await fs.mkdir(path.join(root, 'api'), { recursive: true });
    await fs.writeFile(
      path.join(root, 'api/deploy.yaml'),
      `${HARDENED}---\n${SERVICE}`,
    );
    await fs.writeFile(
      path.join(root, 'worker.yaml'),
      `${BROKEN}---\n${HARDENED.replace(
        'readOnlyRootFilesystem: true',
        'readOnlyRootFilesystem: false',
      )}`,
    );
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  const entities = () => [
    component('api', 'api'),
    component('worker', 'worker.yaml'),
    component('gone', 'gone'),
    component('plain'),
  ];
  const collector = () =>
    createHardeningCollector({
      loadEntities: async () => entities(),
      readManifests: createManifestReader(root),
      params: { allowedRegistries: ['ghcr.io/acme'] },
    });

  it('describes itself as the per-entity hardening collector', () => {
    expect(collector()).toMatchObject({
      id: 'hardening',
      points: ['CC6.8', 'CC7.1'],
      cadence: 'weekly',
      perEntity: true,
    });
  });

  it('files one report per entity that names its manifests', async () => {
    const { ctx, lines } = context();
    const evidence = await collector().collect(ctx);
    expect(evidence.map(e => [e.entityRef, e.fileName])).toEqual([
      ['component:default/api', 'hardening-component-default-api.json'],
      ['component:default/worker', 'hardening-component-default-worker.json'],
      ['component:default/gone', 'hardening-component-default-gone.json'],
    ]);
    for (const item of evidence) {
      expect(item).toMatchObject({
        type: 'hardening',
        mediaType: 'application/json',
        period: { start: ctx.now, end: ctx.now },
      });
    }

    const api = JSON.parse(String(evidence[0].content)) as HardeningReport;
    expect(api.files).toEqual(['api/deploy.yaml']);
    expect(api.workloads).toHaveLength(1);
    expect(api.workloads[0]).toMatchObject({
      file: 'api/deploy.yaml',
      line: 1,
      kind: 'Deployment',
      name: 'api',
    });
    expect(api.workloads[0].results).toHaveLength(12);
    expect(api.summary).toEqual({
      workloads: 1,
      rules: 12,
      failures: 0,
      errors: 0,
    });
    expect(evidence[0].summary).toEqual(api.summary);
    expect(api.rules.params).toEqual({
      allowedRegistries: ['ghcr.io/acme'],
      requiredLabels: [],
    });
    expect(api.rules.rules.map(r => r.id)).toContain('no-host-namespaces');

    // The malformed document is reported; the good one beside it is checked.
    const worker = JSON.parse(String(evidence[1].content)) as HardeningReport;
    expect(worker.summary).toMatchObject({ workloads: 1, failures: 1 });
    expect(worker.errors.length).toBeGreaterThan(0);
    expect(worker.errors[0]).toMatchObject({ file: 'worker.yaml' });
    expect(worker.errors[0].line).toBeGreaterThanOrEqual(5);
    expect(
      worker.workloads[0].results
        .filter(r => r.status === 'fail')
        .map(r => [r.rule, r.failingContainers]),
    ).toEqual([['read-only-root-filesystem', ['api']]]);
    expect(lines.some(l => /worker\.yaml:\d+:/.test(l))).toBe(true);

    const gone = JSON.parse(String(evidence[2].content)) as HardeningReport;
    expect(gone.workloads).toEqual([]);
    expect(gone.errors).toEqual([
      { file: 'gone', message: 'No manifests at "gone"' },
    ]);
  });

  it('collects for one entity when asked', async () => {
    const { ctx } = context('Component:default/API');
    const evidence = await collector().collect(ctx);
    expect(evidence.map(e => e.entityRef)).toEqual(['component:default/api']);
  });

  it('fails a run for an entity it cannot check', async () => {
    await expect(
      collector().collect(context('component:default/plain').ctx),
    ).rejects.toThrow(/no ops\.portal\/manifests annotation/);
    await expect(
      collector().collect(context('component:default/nobody').ctx),
    ).rejects.toThrow(/No catalog entity/);
  });
});
