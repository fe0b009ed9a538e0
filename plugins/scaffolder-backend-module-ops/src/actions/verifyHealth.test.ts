import { Entity } from '@backstage/catalog-model';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  FakeObjective,
  sloStatus,
  startFakeSloApi,
} from '../health/__testUtils__/fakeSloApi';
import { actionContext } from '../pluginApis/__testUtils__/actionContext';
import {
  fakeAuth,
  fakeDiscovery,
} from '../pluginApis/__testUtils__/fakePluginServer';
import {
  createVerifyHealthAction,
  VERIFY_HEALTH_ACTION_ID,
} from './verifyHealth';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', namespace: 'default', annotations },
  spec: { type: 'service', owner: 'team-pay', lifecycle: 'production' },
});
const withSlo = entity({ 'slo.ops.portal/objectives': 'payments' });

const objective = (
  id: string,
  statuses: FakeObjective['statuses'],
): FakeObjective => ({
  id,
  displayName: `${id} SLO`,
  entityRef: 'component:default/payments',
  statuses,
});

/** A health endpoint answering `status` (changeable). */
async function startHealthEndpoint(status: number) {
  const state = { status, hits: 0 };
  const server = createServer((_req, res) => {
    state.hits += 1;
    res.writeHead(state.status).end();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    state,
    url: `http://127.0.0.1:${port}/healthz`,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

describe('ops:verify:health', () => {
  let slo: Awaited<ReturnType<typeof startFakeSloApi>>;
  let objectives: FakeObjective[];
  beforeEach(async () => {
    objectives = [];
    slo = await startFakeSloApi({
      get objectives() {
        return objectives;
      },
    });
  });
  afterEach(() => slo.close());

  const action = (e: Entity | undefined, sloUrl = slo.url) => {
    const auth = fakeAuth();
    const a = createVerifyHealthAction({
      auth,
      discovery: fakeDiscovery(sloUrl),
      getEntity: async ref =>
        ref === 'component:default/payments' ? e : undefined,
      timing: { pollIntervalMs: 20 },
    });
    return Object.assign(a, { auth });
  };
  const statusReads = () =>
    slo.requests.filter(r => r.path.endsWith('/status')).length;

  it('declares id, dry-run support, examples and schemas', () => {
    const a = action(withSlo);
    expect(a.id).toBe(VERIFY_HEALTH_ACTION_ID);
    expect(a.id).toBe('ops:verify:health');
    expect(a.supportsDryRun).toBe(true);
    expect(a.examples?.length).toBeGreaterThan(0);
    expect((a.schema?.input as any).required).toEqual(['entityRef']);
  });

  it('is healthy at once when no page tier fires, asking as the initiator', async () => {
    objectives = [
      objective('pay-availability', [sloStatus('pay-availability')]),
      objective('pay-latency', [
        sloStatus('pay-latency', { firing: ['ticket-3d'] }),
      ]),
    ];
    const a = action(withSlo);
    const { ctx, output } = actionContext({ entityRef: 'payments' });
    await a.handler(ctx);
    expect(output).toEqual({
      healthy: true,
      source: 'slo',
      details:
        'pay-availability SLO: ok (page-6h burn 0.2× short; threshold 6×); pay-latency SLO: ok (page-6h burn 0.2× short; threshold 6×)',
      checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(slo.requests.map(r => r.path)).toEqual([
      '/api/slo/objectives?entityRef=component%3Adefault%2Fpayments&limit=100&offset=0',
      '/api/slo/objectives/pay-availability/status',
      '/api/slo/objectives/pay-latency/status',
    ]);
    expect(
      slo.requests.every(
        r => r.authorization === 'Bearer on-behalf:user:default/amy',
      ),
    ).toBe(true);
    expect(a.auth.calls[0]).toEqual({
      targetPluginId: 'slo',
      subject: 'user:default/amy',
    });
  });

  it('waits until the page tier stops firing', async () => {
    objectives = [
      objective('pay-availability', [
        sloStatus('pay-availability', { firing: ['page-1h', 'page-6h'] }),
        sloStatus('pay-availability'),
      ]),
    ];
    const { ctx, output, logs } = actionContext({ entityRef: 'payments' });
    await action(withSlo).handler(ctx);
    expect(output.healthy).toBe(true);
    expect(statusReads()).toBe(2);
    expect(logs()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Check 1: not healthy yet: pay-availability SLO: page-1h firing/,
        ),
        expect.stringMatching(/^Check 2: healthy: pay-availability SLO: ok/),
      ]),
    );
  });

  it('fails with the details when still firing at the timeout', async () => {
    objectives = [
      objective('pay-availability', [
        sloStatus('pay-availability', { firing: ['page-1h'] }),
      ]),
    ];
    const { ctx } = actionContext({ entityRef: 'payments', timeoutSeconds: 1 });
    await expect(action(withSlo).handler(ctx)).rejects.toThrow(
      /^component:default\/payments is not healthy after 1 s \(\d+ checks, by its SLOs\): pay-availability SLO: page-1h firing \(burn 20× long, 20× short; threshold 14.4×\)$/,
    );
    expect(statusReads()).toBeGreaterThan(1);
  });

  it('retries an SLO plugin answering 503', async () => {
    objectives = [
      objective('pay-availability', [sloStatus('pay-availability')]),
    ];
    slo.failNext(2);
    const { ctx, output, logs } = actionContext({ entityRef: 'payments' });
    await action(withSlo).handler(ctx);
    expect(output.healthy).toBe(true);
    expect(logs()).toContainEqual(
      'Check 1: not healthy yet: The slo plugin failed GET /objectives?entityRef=component%3Adefault%2Fpayments&limit=100&offset=0 with 503: Database unavailable',
    );
  });

  it('fails clearly when the SLO plugin stays down', async () => {
    const closed = slo.url;
    await slo.close();
    const { ctx } = actionContext({ entityRef: 'payments', timeoutSeconds: 1 });
    await expect(action(withSlo, closed).handler(ctx)).rejects.toThrow(
      /^Could not verify the health of component:default\/payments: the SLO plugin was unavailable for 1 s \(\d+ checks\)\. Last: The slo plugin \(http:\/\/127\.0\.0\.1:\d+\/api\/slo\) did not answer GET \/objectives/,
    );
    slo = await startFakeSloApi({ objectives: [] }); // for afterEach
  });

  it('gives up on an SLO call that does not answer, and retries', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>(r => hanging.listen(0, '127.0.0.1', r));
    const { port } = hanging.address() as AddressInfo;
    try {
      const a = createVerifyHealthAction({
        auth: fakeAuth(),
        discovery: fakeDiscovery(`http://127.0.0.1:${port}`),
        getEntity: async () => withSlo,
        timing: { pollIntervalMs: 20, requestTimeoutMs: 100 },
      });
      const { ctx, logs } = actionContext({
        entityRef: 'payments',
        timeoutSeconds: 1,
      });
      await expect(a.handler(ctx)).rejects.toThrow(
        'the SLO plugin was unavailable for 1 s',
      );
      expect(logs()).toContainEqual(
        'Check 2: not healthy yet: The slo plugin did not answer within 0.1 s',
      );
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>(r => hanging.close(() => r()));
    }
  });

  it('fails naming both annotations when there is nothing to check by', async () => {
    const { ctx } = actionContext({ entityRef: 'payments' });
    await expect(action(entity({})).handler(ctx)).rejects.toThrow(
      'Cannot verify the health of component:default/payments: the SLO plugin has no objectives for it (annotation slo.ops.portal/objectives) and it has no ops.portal/health-url annotation',
    );
  });

  it('waits for objectives its annotation names but the SLO plugin has not loaded yet', async () => {
    const { ctx, logs } = actionContext({
      entityRef: 'payments',
      timeoutSeconds: 1,
    });
    await expect(action(withSlo).handler(ctx)).rejects.toThrow(
      'The SLO plugin lists no objectives for component:default/payments yet',
    );
    expect(
      logs().filter(line => line.includes('lists no objectives')).length,
    ).toBeGreaterThan(1);
  });

  it('fails for an entity missing from the catalog', async () => {
    const { ctx } = actionContext({ entityRef: 'component:default/ghost' });
    await expect(action(withSlo).handler(ctx)).rejects.toThrow(
      'Entity component:default/ghost not found in the catalog',
    );
  });

  describe('by ops.portal/health-url', () => {
    let health: Awaited<ReturnType<typeof startHealthEndpoint>>;
    afterEach(() => health.close());

    it('is healthy on 2xx, and the annotation wins over the SLOs', async () => {
      health = await startHealthEndpoint(200);
      objectives = [
        objective('pay-availability', [
          sloStatus('pay-availability', { firing: ['page-1h'] }),
        ]),
      ];
      const { ctx, output } = actionContext({ entityRef: 'payments' });
      await action(
        entity({
          'slo.ops.portal/objectives': 'payments',
          'ops.portal/health-url': health.url,
        }),
      ).handler(ctx);
      expect(output).toMatchObject({
        healthy: true,
        source: 'health-url',
        details: `GET ${health.url}: 200 OK`,
      });
      expect(slo.requests).toEqual([]);
    });

    it('fails on 500 at the timeout', async () => {
      health = await startHealthEndpoint(500);
      const { ctx } = actionContext({
        entityRef: 'payments',
        timeoutSeconds: 1,
      });
      await expect(
        action(entity({ 'ops.portal/health-url': health.url })).handler(ctx),
      ).rejects.toThrow(
        new RegExp(
          `is not healthy after 1 s \\(\\d+ checks, by its health URL\\): GET ${health.url}: 500 Internal Server Error$`,
        ),
      );
      expect(health.state.hits).toBeGreaterThan(1);
    });
  });

  it('a dry run checks once and does not fail when unhealthy', async () => {
    objectives = [
      objective('pay-availability', [
        sloStatus('pay-availability', { firing: ['page-1h'] }),
        sloStatus('pay-availability'),
      ]),
    ];
    const { ctx, output, logs } = actionContext(
      { entityRef: 'payments', timeoutSeconds: 300, pollSeconds: 15 },
      { isDryRun: true },
    );
    await action(withSlo).handler(ctx);
    expect(statusReads()).toBe(1);
    expect(output).toMatchObject({
      healthy: false,
      source: 'slo',
      details: expect.stringContaining('page-1h firing'),
    });
    expect(logs()).toContainEqual(
      expect.stringContaining(
        'Dry run: checked once (not healthy); a real run would check every',
      ),
    );
    expect(logs().join('\n')).toContain('for up to 300 s');
  });
});
