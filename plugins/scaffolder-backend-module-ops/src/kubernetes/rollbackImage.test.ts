import { Entity } from '@backstage/catalog-model';
import { KubeConfig } from '@kubernetes/client-node';
import { toKubeConfig } from './clusters';
import {
  assertPinnedByDigest,
  ImageRollbackOptions,
  rollbackImage,
} from './rollbackImage';
import { KubernetesStandIn, REVISION_ANNOTATION } from './standIn';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

const ID = 'backstage.io/kubernetes-id';
const DIGEST_A = `registry.example.com/shop/pay@sha256:${'a'.repeat(64)}`;
const DIGEST_1 = `registry.example.com/shop/pay@sha256:${'1'.repeat(64)}`;
const DIGEST_2 = `registry.example.com/shop/pay@sha256:${'2'.repeat(64)}`;

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-pay', lifecycle: 'production' },
  };
}

describe('rollbackImage (production client against the stand-in)', () => {
  let k8s: KubernetesStandIn;
  let kubeConfig: KubeConfig;
  const payments = entity({
    [ID]: 'payments',
    'backstage.io/kubernetes-namespace': 'shop',
  });

  beforeEach(async () => {
    k8s = await KubernetesStandIn.start({
      readyAfterMs: 80,
      token: 'sa-token',
    });
    // Revision 1: pay@digest1 + sidecar:1; revision 2: pay@digest2 + sidecar:2.
    k8s.seed({
      name: 'payments',
      namespace: 'shop',
      labels: { app: 'payments', [ID]: 'payments' },
      replicas: 3,
      images: [
        [DIGEST_1, 'sidecar:1'],
        [DIGEST_2, 'sidecar:2'],
      ],
    });
    kubeConfig = toKubeConfig({
      name: 'test',
      url: k8s.url,
      authProvider: 'serviceAccount',
      serviceAccountToken: 'sa-token',
      skipTLSVerify: true,
    });
  });
  afterEach(() => k8s.close());

  const run = (extra: Partial<ImageRollbackOptions> = {}) =>
    rollbackImage({
      cluster: 'test',
      kubeConfig,
      entity: payments,
      container: 'payments',
      rolloutTimeoutMs: 30_000, // a budget on a loaded machine, not a speed check
      requestTimeoutMs: 10_000,
      pollIntervalMs: 20,
      ...extra,
    });

  const images = () =>
    k8s
      .getDeployment('shop', 'payments')!
      .spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`);

  it("sets the container's image of the previous revision and waits for the rollout", async () => {
    const logs: string[] = [];
    const result = await run({ reason: 'bad deploy', log: m => logs.push(m) });
    expect(result).toMatchObject({
      cluster: 'test',
      namespace: 'shop',
      deployment: 'payments',
      container: 'payments',
      imageBefore: DIGEST_2,
      imageAfter: DIGEST_1,
      fromRevision: 2,
      toRevision: 3,
      dryRun: false,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(result.rolloutWaitMs);
    // Only the one container changed; the sidecar keeps revision 2's image.
    expect(images()).toEqual([`payments=${DIGEST_1}`, 'payments-2=sidecar:2']);
    const d = k8s.getDeployment('shop', 'payments')!;
    expect(d.metadata.annotations[REVISION_ANNOTATION]).toBe('3');
    expect(d.metadata.annotations['kubernetes.io/change-cause']).toBe(
      `Set image of container payments from ${DIGEST_2} to ${DIGEST_1}: bad deploy`,
    );
    expect(d.status).toMatchObject({
      updatedReplicas: 3,
      availableReplicas: 3,
    });
    const patches = k8s.requests.filter(r => r.route === 'patchDeployment');
    expect(patches).toHaveLength(1);
    expect(patches[0].contentType).toBe('application/json-patch+json');
    expect(logs[0]).toBe(
      `Setting container payments of Deployment shop/payments on cluster test from ${DIGEST_2} to ${DIGEST_1} (revision 2)`,
    );
  });

  it('sets a given digest', async () => {
    const result = await run({ container: 'payments-2', image: DIGEST_A });
    expect(result).toMatchObject({
      container: 'payments-2',
      imageBefore: 'sidecar:2',
      imageAfter: DIGEST_A,
      fromRevision: 2,
      toRevision: 3,
    });
    expect(images()).toEqual([
      `payments=${DIGEST_2}`,
      `payments-2=${DIGEST_A}`,
    ]);
  });

  it('refuses a tag-only reference before calling the cluster', async () => {
    await expect(
      run({ image: 'registry.example.com/shop/pay:1.2' }),
    ).rejects.toThrow(
      'Image "registry.example.com/shop/pay:1.2" is not pinned by digest',
    );
    await expect(run({ image: 'pay@sha256:abc' })).rejects.toThrow(
      'is not a valid reference pinned by digest',
    );
    expect(k8s.requests).toEqual([]);
  });

  it('accepts references pinned by digest, with a registry port or a tag', () => {
    for (const ok of [
      DIGEST_A,
      `localhost:5000/pay@sha256:${'b'.repeat(64)}`,
      `ghcr.io/org/team/pay:1.2@sha256:${'c'.repeat(64)}`,
      `pay@sha256:${'d'.repeat(64)}`,
    ]) {
      expect(() => assertPinnedByDigest(ok)).not.toThrow();
    }
    for (const bad of [
      'pay',
      'pay:latest',
      `pay@sha256:${'A'.repeat(64)}`,
      `pay@sha512:${'a'.repeat(64)}`,
      `Pay@sha256:${'a'.repeat(64)}`,
    ]) {
      expect(() => assertPinnedByDigest(bad)).toThrow(/pinned by digest/);
    }
  });

  it('refuses several containers without a name, naming them', async () => {
    await expect(run({ container: undefined })).rejects.toThrow(
      'The pod template of Deployment shop/payments has 2 containers (payments, payments-2); say which one with the container input',
    );
    await expect(run({ container: 'web' })).rejects.toThrow(
      'has no container "web"; its containers are payments, payments-2',
    );
    expect(k8s.requests.some(r => r.route === 'patchDeployment')).toBe(false);
  });

  it('takes the only container without a name', async () => {
    k8s.seed({
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web', [ID]: 'web' },
      images: ['web:1', 'web:2'],
    });
    const result = await run({
      container: undefined,
      entity: entity({
        [ID]: 'web',
        'backstage.io/kubernetes-namespace': 'shop',
      }),
    });
    expect(result).toMatchObject({
      deployment: 'web',
      container: 'web',
      imageBefore: 'web:2',
      imageAfter: 'web:1',
    });
  });

  it('fails clearly without a previous revision, or when it has the same image', async () => {
    k8s.seed({
      name: 'once',
      namespace: 'shop',
      labels: { app: 'once', [ID]: 'once' },
      images: ['once:1'],
    });
    await expect(
      run({
        container: undefined,
        entity: entity({
          [ID]: 'once',
          'backstage.io/kubernetes-namespace': 'shop',
        }),
      }),
    ).rejects.toThrow(
      'Deployment shop/once has no revision before 1, so container once has no previous image; give the image to set',
    );
    k8s.seed({
      name: 'same',
      namespace: 'shop',
      labels: { app: 'same', [ID]: 'same' },
      images: [
        ['same:1', 'side:1'],
        ['same:1', 'side:2'],
      ],
    });
    await expect(
      run({
        container: 'same',
        entity: entity({
          [ID]: 'same',
          'backstage.io/kubernetes-namespace': 'shop',
        }),
      }),
    ).rejects.toThrow(
      'Container same of Deployment shop/same already runs same:1, the image of the previous revision too; nothing to roll back',
    );
    expect(k8s.requests.some(r => r.route === 'patchDeployment')).toBe(false);
  });

  it('a concurrent change between read and patch gives 409 and leaves the other change', async () => {
    k8s.injectFault({
      route: 'patchDeployment',
      before: standIn =>
        standIn.updateDeployment('shop', 'payments', d => {
          d.spec.replicas = 5;
        }),
    });
    await expect(run()).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('the object has been modified'),
    });
    const d = k8s.getDeployment('shop', 'payments')!;
    expect(d.spec.replicas).toBe(5); // the other change stands
    expect(images()).toEqual([`payments=${DIGEST_2}`, 'payments-2=sidecar:2']);
    expect(
      d.metadata.annotations['kubernetes.io/change-cause'],
    ).toBeUndefined();
    expect(d.metadata.annotations[REVISION_ANNOTATION]).toBe('2');
  });

  it('fails clearly on 404 and 403', async () => {
    k8s.injectFault({ route: 'readDeployment', status: 404 });
    await expect(run()).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        '404 (NotFound) deployments.apps "payments" not found',
      ),
    });
    const before = k8s.getDeployment('shop', 'payments');
    k8s.injectFault({ route: 'patchDeployment', status: 403 });
    await expect(run()).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /Kubernetes refused patching Deployment shop\/payments on cluster test .*403 \(Forbidden\)/,
      ),
    });
    expect(k8s.getDeployment('shop', 'payments')).toEqual(before);
  });

  it('a rollout that never becomes ready ends at the timeout with the state described', async () => {
    k8s.setBehaviour('shop', 'payments', { neverReady: true });
    await expect(run({ rolloutTimeoutMs: 2000 })).rejects.toThrow(
      new RegExp(
        `^Rollout of Deployment shop/payments with container payments set to ${DIGEST_1.replace(
          /[.]/g,
          '\\.',
        )} did not finish in 2 s: 1 of 3 updated, 3 available, 1 unavailable, 4 in total; generation 3, observed 3\\. The change was applied`,
      ),
    );
    expect(images()[0]).toBe(`payments=${DIGEST_1}`);
  });

  it('a dry run reads, describes and changes nothing', async () => {
    const before = k8s.getDeployment('shop', 'payments')!;
    const logs: string[] = [];
    const result = await run({ dryRun: true, log: m => logs.push(m) });
    expect(result).toMatchObject({
      imageBefore: DIGEST_2,
      imageAfter: DIGEST_1,
      fromRevision: 2,
      toRevision: 2,
      rolloutWaitMs: 0,
      dryRun: true,
    });
    expect(logs[0]).toMatch(
      `Would set container payments of Deployment shop/payments on cluster test from ${DIGEST_2} to ${DIGEST_1}`,
    );
    const after = k8s.getDeployment('shop', 'payments')!;
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(after).toEqual(before);
    expect(k8s.requests.every(r => r.method === 'GET')).toBe(true);
  });

  it('names the missing annotation', async () => {
    await expect(run({ entity: entity({}) })).rejects.toThrow(
      /Entity component:default\/payments has no backstage\.io\/kubernetes-id annotation/,
    );
  });
});
