import { actionContext } from '../pluginApis/__testUtils__/actionContext';
import { startFakeEvidenceApi } from '../pluginApis/__testUtils__/fakeEvidenceApi';
import {
  fakeAuth,
  fakeDiscovery,
} from '../pluginApis/__testUtils__/fakePluginServer';
import {
  createEvidenceBinderAction,
  EVIDENCE_BINDER_ACTION_ID,
} from './evidenceBinder';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

describe('ops:evidence:binder', () => {
  let evidence: Awaited<ReturnType<typeof startFakeEvidenceApi>>;
  const start = async (options: { binderError?: string } = {}) => {
    evidence = await startFakeEvidenceApi({
      collectors: [],
      knownPoints: ['CC6.1', 'CC8.1'],
      binderReads: 2,
      isAllowed: (permission, caller) =>
        permission !== 'evidence.binder.create' ||
        caller === 'user:default/amy',
      ...options,
    });
  };
  afterEach(() => evidence.close());

  const action = () =>
    createEvidenceBinderAction({
      auth: fakeAuth(),
      discovery: fakeDiscovery(evidence.url, 'https://portal.example.com'),
      pollIntervalMs: 5,
    });
  const period = {
    periodStart: '2025-01-01T00:00:00Z',
    periodEnd: '2025-04-01T00:00:00Z',
  };

  it('declares id, dry-run support, examples and schemas', async () => {
    await start();
    const a = action();
    expect(a.id).toBe(EVIDENCE_BINDER_ACTION_ID);
    expect(a.supportsDryRun).toBe(true);
    expect(a.examples?.length).toBeGreaterThan(0);
    expect((a.schema?.input as any).required).toEqual([
      'periodStart',
      'periodEnd',
    ]);
  });

  it('requests a binder as the initiator and waits until it is built', async () => {
    await start();
    const { ctx, output, logs } = actionContext({
      ...period,
      points: ['CC8.1'],
    });
    await action().handler(ctx);
    const binderId = output.binderId as string;
    expect(output).toEqual({
      binderId,
      state: 'ready',
      downloadUrl: `https://portal.example.com/api/evidence/binders/${binderId}/download`,
      sha256: 'a'.repeat(64),
      dryRun: false,
    });
    expect(evidence.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/evidence/binders',
      authorization: 'Bearer on-behalf:user:default/amy',
      body: { ...period, points: ['CC8.1'] },
    });
    expect(evidence.binders.get(binderId)!.binder.points).toEqual(['CC8.1']);
    expect(logs()).toEqual(
      expect.arrayContaining([
        `Binder ${binderId}: building, 1 of 3 files`,
        `Binder ${binderId}: ready, 3 of 3 files`,
      ]),
    );
  });

  it('fails with the error of a binder that failed', async () => {
    await start({ binderError: 'blob store unreachable' });
    const { ctx } = actionContext(period);
    await expect(action().handler(ctx)).rejects.toThrow(
      /^Binder [0-9a-f-]+ failed: blob store unreachable$/,
    );
  });

  it('fails naming the permission when the initiator may not build binders', async () => {
    await start();
    const { ctx } = actionContext(period, { user: 'user:default/bob' });
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed: evidence.binder.create',
    });
  });

  it("surfaces the plugin's 400 message", async () => {
    await start();
    const { ctx } = actionContext({ ...period, points: ['CC9.9'] });
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: 'Invalid input: points.0: unknown point CC9.9',
    });
  });

  it('a dry run validates and requests nothing', async () => {
    await start();
    const { ctx, output, logs } = actionContext(period, { isDryRun: true });
    await action().handler(ctx);
    expect(output).toEqual({ dryRun: true });
    expect(logs()).toContain(
      'Dry run: would request a binder of 2025-01-01T00:00:00Z to 2025-04-01T00:00:00Z covering all points; nothing was requested',
    );
    const backwards = actionContext(
      { periodStart: period.periodEnd, periodEnd: period.periodStart },
      { isDryRun: true },
    );
    await expect(action().handler(backwards.ctx)).rejects.toThrow(
      'periodEnd (2025-01-01T00:00:00Z) must be after periodStart (2025-04-01T00:00:00Z)',
    );
    expect(evidence.requests).toEqual([]);
  });
});
