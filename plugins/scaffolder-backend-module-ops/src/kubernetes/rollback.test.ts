import { Entity } from '@backstage/catalog-model';
import { KubeConfig } from '@kubernetes/client-node';
import { toKubeConfig } from './clusters';
import { rollbackDeployment, RollbackOptions } from './rollback';
import {
  KubernetesStandIn,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
} from './standIn';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

const ID = 'backstage.io/kubernetes-id';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-pay', lifecycle: 'production' },
  };
}

describe('rollbackDeployment (production client against the stand-in)', () => {
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
    k8s.seed({
      name: 'payments',
      namespace: 'shop',
      labels: { app: 'payments', [ID]: 'payments' },
      replicas: 3,
      images: ['pay:1', 'pay:2', 'pay:3'],
      templateAnnotations: { 'prometheus.io/scrape': 'true' },
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

  const run = (extra: Partial<RollbackOptions> = {}) =>
    rollbackDeployment({
      cluster: 'test',
      kubeConfig,
      entity: payments,
      rolloutTimeoutMs: 30_000, // a budget on a loaded machine, not a speed check
      requestTimeoutMs: 10_000,
      pollIntervalMs: 20,
      ...extra,
    });

  const replicaSetOf = (revision: string) =>
    k8s
      .getReplicaSets('shop', 'payments')
      .find(rs => rs.metadata.annotations[REVISION_ANNOTATION] === revision)!;

  const withoutHash = (template: any) => {
    const t = JSON.parse(JSON.stringify(template));
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    return t;
  };

  it('rolls back to the previous revision and waits for the rollout', async () => {
    const rs2 = replicaSetOf('2');
    const result = await run({ reason: 'bad deploy' });
    expect(result).toMatchObject({
      cluster: 'test',
      namespace: 'shop',
      deployment: 'payments',
      fromRevision: 3,
      toRevision: 2,
      imagesBefore: ['payments=pay:3'],
      imagesAfter: ['payments=pay:2'],
      dryRun: false,
    });
    expect(result.rolloutWaitMs).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(result.rolloutWaitMs);
    const d = k8s.getDeployment('shop', 'payments')!;
    expect(d.spec.template).toEqual(withoutHash(rs2.spec.template));
    expect(
      d.spec.template.metadata.labels[POD_TEMPLATE_HASH_LABEL],
    ).toBeUndefined();
    // Kubernetes gives the reused ReplicaSet the next revision.
    expect(d.metadata.annotations[REVISION_ANNOTATION]).toBe('4');
    expect(replicaSetOf('4').metadata.name).toBe(rs2.metadata.name);
    expect(d.metadata.annotations['kubernetes.io/change-cause']).toBe(
      'Rolled back from revision 3 to 2: bad deploy',
    );
    expect(d.status).toMatchObject({
      updatedReplicas: 3,
      availableReplicas: 3,
    });
    const patches = k8s.requests.filter(r => r.route === 'patchDeployment');
    expect(patches).toHaveLength(1);
    expect(patches[0].contentType).toBe('application/json-patch+json');
  });

  it('rolls back to a given revision', async () => {
    const rs1 = replicaSetOf('1');
    const result = await run({ toRevision: 1 });
    expect(result).toMatchObject({
      fromRevision: 3,
      toRevision: 1,
      imagesAfter: ['payments=pay:1'],
    });
    const d = k8s.getDeployment('shop', 'payments')!;
    expect(d.spec.template).toEqual(withoutHash(rs1.spec.template));
    expect(d.metadata.annotations[REVISION_ANNOTATION]).toBe('4');
  });

  it('rolls back twice like kubectl rollout undo (previous of 4 is 3)', async () => {
    await run();
    const second = await run();
    expect(second).toMatchObject({
      fromRevision: 4,
      toRevision: 3,
      imagesAfter: ['payments=pay:3'],
    });
  });

  it('a dry run describes the rollback and changes nothing', async () => {
    const before = k8s.getDeployment('shop', 'payments');
    const result = await run({ dryRun: true });
    expect(result).toMatchObject({
      fromRevision: 3,
      toRevision: 2,
      imagesBefore: ['payments=pay:3'],
      imagesAfter: ['payments=pay:2'],
      rolloutWaitMs: 0,
      dryRun: true,
    });
    expect(k8s.getDeployment('shop', 'payments')).toEqual(before);
    expect(k8s.requests.every(r => r.method === 'GET')).toBe(true);
  });

  it('names the missing annotation', async () => {
    await expect(run({ entity: entity({}) })).rejects.toThrow(
      /Entity component:default\/payments has no backstage\.io\/kubernetes-id annotation/,
    );
  });

  it('uses the label-selector annotation, and the default namespace', async () => {
    k8s.seed({
      name: 'web',
      labels: { tier: 'web' },
      images: ['web:1', 'web:2'],
    });
    const result = await run({
      entity: entity({ 'backstage.io/kubernetes-label-selector': 'tier=web' }),
    });
    expect(result).toMatchObject({
      namespace: 'default',
      deployment: 'web',
      toRevision: 1,
    });
  });

  it('fails clearly when no Deployment matches, or it vanishes (404)', async () => {
    await expect(
      run({
        entity: entity({
          [ID]: 'ghost',
          'backstage.io/kubernetes-namespace': 'shop',
        }),
      }),
    ).rejects.toThrow(
      'No Deployment in namespace shop of cluster test matches the label selector backstage.io/kubernetes-id=ghost',
    );
    k8s.injectFault({ route: 'readDeployment', status: 404 });
    await expect(run()).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        '404 (NotFound) deployments.apps "payments" not found',
      ),
    });
  });

  it('fails clearly on 403 and changes nothing', async () => {
    const before = k8s.getDeployment('shop', 'payments');
    k8s.injectFault({ route: 'patchDeployment', status: 403 });
    await expect(run()).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /Kubernetes refused patching Deployment shop\/payments on cluster test .*403 \(Forbidden\).*cannot patch resource "deployments"/,
      ),
    });
    expect(k8s.getDeployment('shop', 'payments')).toEqual(before);
  });

  it('a concurrent change between read and patch gives 409 and nothing half-applied', async () => {
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
    expect(d.spec.template.spec.containers[0].image).toBe('pay:3');
    expect(
      d.metadata.annotations['kubernetes.io/change-cause'],
    ).toBeUndefined();
  });

  it('an API that does not answer fails at the request timeout', async () => {
    k8s.injectFault({ route: 'listReplicaSets', hang: true });
    const started = Date.now();
    // Long enough for the calls that do answer on a loaded machine.
    await expect(run({ requestTimeoutMs: 2000 })).rejects.toThrow(
      `The Kubernetes API of cluster test (${k8s.url}) did not answer listing the ReplicaSets of Deployment shop/payments within 2 s; nothing more was changed`,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(k8s.requests.some(r => r.route === 'patchDeployment')).toBe(false);
  });

  it('a rollout that never becomes ready ends at the timeout with the state described', async () => {
    k8s.setBehaviour('shop', 'payments', { neverReady: true });
    await expect(run({ rolloutTimeoutMs: 3000 })).rejects.toThrow(
      /^Rollout of Deployment shop\/payments back to revision 2 did not finish in 3 s: 1 of 3 updated, 3 available, 1 unavailable, 4 in total; generation 4, observed 4\. The rollback was applied/,
    );
  });

  it('refuses an unknown revision and the current one', async () => {
    await expect(run({ toRevision: 9 })).rejects.toThrow(
      'Deployment shop/payments has no revision 9; its revisions are 3, 2, 1',
    );
    await expect(run({ toRevision: 3 })).rejects.toThrow(
      'already at revision 3',
    );
  });
});
