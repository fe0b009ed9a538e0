import {
  KubernetesStandIn,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
} from '.';
import { waitFor } from '../testing/waitFor';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

describe('KubernetesStandIn (wire protocol)', () => {
  let k8s: KubernetesStandIn;
  const base = '/apis/apps/v1/namespaces/shop/deployments';

  beforeEach(async () => {
    k8s = await KubernetesStandIn.start({ readyAfterMs: 50, token: 't0k3n' });
    k8s.seed({
      name: 'payments',
      namespace: 'shop',
      labels: { app: 'payments', 'backstage.io/kubernetes-id': 'payments' },
      replicas: 3,
      images: ['pay:1', 'pay:2', 'pay:3'],
    });
    k8s.seed({ name: 'cart', namespace: 'shop', images: ['cart:1'] });
  });
  afterEach(() => k8s.close());

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/merge-patch+json',
  ) => {
    const res = await fetch(`${k8s.url}${path}`, {
      method,
      headers: {
        authorization: 'Bearer t0k3n',
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('lists by equality and set-based label selectors', async () => {
    const all = await call('GET', base);
    expect(all.body.kind).toBe('DeploymentList');
    expect(all.body.items.map((d: any) => d.metadata.name).sort()).toEqual([
      'cart',
      'payments',
    ]);
    const one = await call(
      'GET',
      `${base}?labelSelector=${encodeURIComponent(
        'backstage.io/kubernetes-id=payments',
      )}`,
    );
    expect(one.body.items.map((d: any) => d.metadata.name)).toEqual([
      'payments',
    ]);
    const notPayments = await call(
      'GET',
      `${base}?labelSelector=${encodeURIComponent('app!=payments')}`,
    );
    expect(notPayments.body.items.map((d: any) => d.metadata.name)).toEqual([
      'cart',
    ]);
    const setBased = await call(
      'GET',
      `${base}?labelSelector=${encodeURIComponent(
        'app in (cart,x),!backstage.io/kubernetes-id',
      )}`,
    );
    expect(setBased.body.items.map((d: any) => d.metadata.name)).toEqual([
      'cart',
    ]);
  });

  it('keeps revisions, hashes and owner references like the deployment controller', async () => {
    const rss = await call(
      'GET',
      '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dpayments',
    );
    expect(rss.body.kind).toBe('ReplicaSetList');
    expect(rss.body.items).toHaveLength(3);
    const d = (await call('GET', `${base}/payments`)).body;
    expect(d.metadata.annotations[REVISION_ANNOTATION]).toBe('3');
    for (const rs of rss.body.items) {
      const hash = rs.metadata.labels[POD_TEMPLATE_HASH_LABEL];
      expect(rs.metadata.name).toBe(`payments-${hash}`);
      expect(rs.spec.template.metadata.labels[POD_TEMPLATE_HASH_LABEL]).toBe(
        hash,
      );
      expect(rs.metadata.ownerReferences[0]).toMatchObject({
        kind: 'Deployment',
        uid: d.metadata.uid,
        controller: true,
      });
    }
    expect(d.status).toMatchObject({
      observedGeneration: d.metadata.generation,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
  });

  it('applies merge, strategic-merge and JSON patches, raising generation and resourceVersion', async () => {
    const before = (await call('GET', `${base}/payments`)).body;
    const merge = await call('PATCH', `${base}/payments`, {
      spec: { replicas: 4 },
    });
    expect(merge.status).toBe(200);
    expect(merge.body.spec.replicas).toBe(4);
    expect(merge.body.metadata.generation).toBe(before.metadata.generation + 1);
    expect(Number(merge.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(before.metadata.resourceVersion),
    );
    const strategic = await call(
      'PATCH',
      `${base}/payments`,
      { metadata: { annotations: { team: 'pay' } } },
      'application/strategic-merge-patch+json',
    );
    expect(strategic.body.metadata.annotations.team).toBe('pay');
    expect(strategic.body.metadata.generation).toBe(
      merge.body.metadata.generation,
    );
    const json = await call(
      'PATCH',
      `${base}/payments`,
      [
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: 'pay:4',
        },
      ],
      'application/json-patch+json',
    );
    expect(json.body.spec.template.spec.containers[0].image).toBe('pay:4');
    const d = await waitFor(async () => {
      const s = (await call('GET', `${base}/payments/status`)).body;
      return (
        s.status.updatedReplicas === 4 && s.status.availableReplicas === 4 && s
      );
    }, 'the rollout of pay:4');
    expect(d.metadata.annotations[REVISION_ANNOTATION]).toBe('4');
  });

  it('reuses the ReplicaSet of an equal template with a raised revision', async () => {
    const rsOf2 = k8s
      .getReplicaSets('shop', 'payments')
      .find(rs => rs.metadata.annotations[REVISION_ANNOTATION] === '2')!;
    k8s.updateDeployment('shop', 'payments', d => {
      d.spec.template.spec.containers[0].image = 'pay:2';
    });
    await waitFor(
      () =>
        k8s.getDeployment('shop', 'payments')!.metadata.annotations[
          REVISION_ANNOTATION
        ] === '4',
      'revision 4',
    );
    const rss = k8s.getReplicaSets('shop', 'payments');
    expect(rss).toHaveLength(3);
    const reused = rss.find(rs => rs.metadata.name === rsOf2.metadata.name)!;
    expect(reused.metadata.annotations[REVISION_ANNOTATION]).toBe('4');
    expect(
      reused.metadata.annotations['deployment.kubernetes.io/revision-history'],
    ).toBe('2');
  });

  it('answers a stale resourceVersion with 409 Conflict and Kubernetes Status bodies', async () => {
    const d = (await call('GET', `${base}/payments`)).body;
    await call('PATCH', `${base}/payments`, {
      metadata: { labels: { x: 'y' } },
    });
    const stale = await call('PATCH', `${base}/payments`, {
      metadata: { resourceVersion: d.metadata.resourceVersion },
      spec: { replicas: 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
    });
    expect(k8s.getDeployment('shop', 'payments')!.spec.replicas).toBe(3);

    const missing = await call('GET', `${base}/nope`);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: 'deployments.apps "nope" not found',
      details: { name: 'nope', kind: 'deployments' },
    });
    const badType = await call(
      'PATCH',
      `${base}/payments`,
      {},
      'application/json',
    );
    expect(badType.status).toBe(415);
    const badSelector = await call('PATCH', `${base}/payments`, {
      spec: { template: { metadata: { labels: { app: 'other' } } } },
    });
    expect(badSelector.status).toBe(422);
    expect(badSelector.body.reason).toBe('Invalid');
    const unauth = await fetch(`${k8s.url}${base}`);
    expect(unauth.status).toBe(401);
  });

  it('injects faults per route for the next N requests, and can hang', async () => {
    k8s.injectFault({ route: 'readDeployment', status: 403, times: 2 });
    expect((await call('GET', `${base}/payments`)).body.reason).toBe(
      'Forbidden',
    );
    expect((await call('GET', `${base}/payments`)).status).toBe(403);
    expect((await call('GET', `${base}/payments`)).status).toBe(200);
    k8s.injectFault({ route: 'listDeployments', hang: true });
    await expect(
      fetch(`${k8s.url}${base}`, {
        headers: { authorization: 'Bearer t0k3n' },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
  });

  it('never completes a rollout of a never-ready deployment', async () => {
    k8s.setBehaviour('shop', 'payments', { neverReady: true });
    k8s.updateDeployment('shop', 'payments', d => {
      d.spec.template.spec.containers[0].image = 'pay:broken';
    });
    const d = await waitFor(() => {
      const x = k8s.getDeployment('shop', 'payments')!;
      return x.status.observedGeneration === x.metadata.generation && x;
    }, 'the controller to observe');
    await new Promise(r => setTimeout(r, 150)); // well past readyAfterMs
    const after = k8s.getDeployment('shop', 'payments')!;
    expect(after.status).toMatchObject({
      updatedReplicas: 1,
      availableReplicas: 3,
      unavailableReplicas: 1,
    });
    expect(after.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
  });
});
