import { actionContext } from '../pluginApis/__testUtils__/actionContext';
import { startFakeEvidenceApi } from '../pluginApis/__testUtils__/fakeEvidenceApi';
import {
  fakeAuth,
  fakeDiscovery,
} from '../pluginApis/__testUtils__/fakePluginServer';
import {
  createEvidenceCollectAction,
  EVIDENCE_COLLECT_ACTION_ID,
} from './evidenceCollect';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

describe('ops:evidence:collect', () => {
  let evidence: Awaited<ReturnType<typeof startFakeEvidenceApi>>;
  beforeEach(async () => {
    evidence = await startFakeEvidenceApi({
      isAllowed: (permission, caller) =>
        permission !== 'evidence.collector.run' ||
        caller === 'user:default/amy',
      collectors: [
        {
          id: 'change-management.git',
          title: 'Change management',
          points: ['CC8.1'],
          perEntity: true,
          outcome: { state: 'succeeded', items: 2 },
          runningReads: 2,
        },
        {
          id: 'access-review',
          title: 'Access review',
          points: ['CC6.1'],
          perEntity: false,
          outcome: {
            state: 'failed',
            error: 'GitHub answered 502 listing org members',
          },
        },
        {
          id: 'slow',
          title: 'Never finishes',
          points: ['CC6.1'],
          perEntity: false,
          runningReads: Number.MAX_SAFE_INTEGER,
        },
      ],
    });
  });
  afterEach(() => evidence.close());

  const action = () =>
    createEvidenceCollectAction({
      auth: fakeAuth(),
      discovery: fakeDiscovery(evidence.url),
      appBaseUrl: 'https://portal.example.com/',
      pollIntervalMs: 5,
    });
  const posts = () => evidence.requests.filter(r => r.method === 'POST');

  it('declares id, dry-run support, examples and schemas', () => {
    const a = action();
    expect(a.id).toBe(EVIDENCE_COLLECT_ACTION_ID);
    expect(a.supportsDryRun).toBe(true);
    expect(a.examples?.length).toBeGreaterThan(0);
    expect((a.schema?.input as any).required).toEqual(['collectorId']);
  });

  it('starts a run as the initiator, waits for it and outputs the filed items', async () => {
    const { ctx, output, logs } = actionContext({
      collectorId: 'change-management.git',
      entityRef: 'component:default/payments',
    });
    await action().handler(ctx);

    const runId = output.runId as string;
    const filed = evidence.runs.get(runId)!;
    expect(output).toEqual({
      runId,
      state: 'succeeded',
      itemIds: filed.items,
      runUrl: `https://portal.example.com/evidence/runs/${runId}`,
      dryRun: false,
    });
    expect(filed.items).toHaveLength(2);
    expect(posts()).toEqual([
      expect.objectContaining({
        path: '/api/evidence/collectors/change-management.git/runs',
        body: { entityRef: 'component:default/payments' },
      }),
    ]);
    expect(
      evidence.requests.every(
        r => r.authorization === 'Bearer on-behalf:user:default/amy',
      ),
    ).toBe(true);
    expect(evidence.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /api/evidence/collectors/change-management.git/runs',
      `GET /api/evidence/runs/${runId}`,
      `GET /api/evidence/runs/${runId}`,
      `GET /api/evidence/runs/${runId}`,
    ]);
    expect(logs()).toContain(
      `Run ${runId}: succeeded, 2 evidence item(s) filed`,
    );
  });

  it('without waiting outputs the running run', async () => {
    const { ctx, output } = actionContext({
      collectorId: 'change-management.git',
      wait: false,
    });
    await action().handler(ctx);
    expect(output).toMatchObject({ state: 'running', itemIds: [] });
    expect(evidence.requests).toHaveLength(1);
  });

  it('fails with the run error when the collector run fails', async () => {
    const { ctx, output } = actionContext({ collectorId: 'access-review' });
    await expect(action().handler(ctx)).rejects.toThrow(
      /^Run [0-9a-f-]+ of collector access-review failed: GitHub answered 502 listing org members \(https:\/\/portal.example.com\/evidence\/runs\/[0-9a-f-]+\)$/,
    );
    expect(output.runId).toBeUndefined();
  });

  it('fails saying where the run goes on when it outlasts the timeout', async () => {
    const { ctx } = actionContext({
      collectorId: 'slow',
      timeoutSeconds: 0.05,
    });
    await expect(action().handler(ctx)).rejects.toThrow(
      /^Run [0-9a-f-]+ of collector slow was still running after 0.05 s; it goes on in the evidence plugin: https:\/\/portal.example.com\/evidence\/runs\/[0-9a-f-]+$/,
    );
  });

  it('fails naming the permission when the initiator may not run collectors', async () => {
    const { ctx } = actionContext(
      { collectorId: 'access-review' },
      { user: 'user:default/bob' },
    );
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed: evidence.collector.run',
    });
    expect(posts()[0].authorization).toBe('Bearer on-behalf:user:default/bob');
  });

  it("surfaces the plugin's 400 message", async () => {
    const { ctx } = actionContext({
      collectorId: 'access-review',
      entityRef: 'component:default/payments',
    });
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message:
        'Collector access-review collects for the whole portal, not for one entity',
    });
  });

  it('a dry run checks the collector and starts nothing', async () => {
    const { ctx, output, logs } = actionContext(
      {
        collectorId: 'change-management.git',
        entityRef: 'component:default/x',
      },
      { isDryRun: true },
    );
    await action().handler(ctx);
    expect(output).toEqual({ dryRun: true });
    expect(posts()).toEqual([]);
    expect(logs()).toContain(
      'Dry run: would start collector change-management.git (Change management) for component:default/x and wait up to 600 s; nothing was started',
    );

    const unknown = actionContext({ collectorId: 'sbom' }, { isDryRun: true });
    await expect(action().handler(unknown.ctx)).rejects.toThrow(
      'No evidence collector sbom; the evidence plugin has change-management.git, access-review, slow',
    );
    expect(posts()).toEqual([]);
  });
});
