import { actionContext } from '../pluginApis/__testUtils__/actionContext';
import { startFakeDrillsApi } from '../pluginApis/__testUtils__/fakeDrillsApi';
import {
  fakeAuth,
  fakeDiscovery,
} from '../pluginApis/__testUtils__/fakePluginServer';
import { createDrillStartAction, DRILL_START_ACTION_ID } from './drillStart';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

const failoverRunbook = {
  id: 'database-failover',
  title: 'Database failover',
  checkpoints: [
    { id: 'detected', title: 'Detected', targetMinutes: 5, phase: 'detect' },
    {
      id: 'recovered',
      title: 'Recovered',
      targetMinutes: 30,
      phase: 'recover',
    },
  ],
};

describe('ops:drill:start', () => {
  let drills: Awaited<ReturnType<typeof startFakeDrillsApi>>;
  beforeEach(async () => {
    drills = await startFakeDrillsApi({
      runbooks: [failoverRunbook],
      isAllowed: (permission, caller) =>
        permission !== 'drills.run.lead' || caller === 'user:default/amy',
    });
  });
  afterEach(() => drills.close());

  const action = () =>
    createDrillStartAction({
      auth: fakeAuth(),
      discovery: fakeDiscovery(drills.url),
      appBaseUrl: 'https://portal.example.com',
    });
  const posts = () => drills.requests.filter(r => r.method === 'POST');

  it('declares id, dry-run support, examples and schemas', () => {
    const a = action();
    expect(a.id).toBe(DRILL_START_ACTION_ID);
    expect(a.supportsDryRun).toBe(true);
    expect(a.examples?.length).toBeGreaterThan(0);
    expect((a.schema?.input as any).required).toEqual(['scenarioId']);
  });

  it('starts a run led by the initiator', async () => {
    const { ctx, output } = actionContext({
      scenarioId: 'database-failover',
      calendarMonth: '2025-03',
      participants: [{ entityRef: 'user:default/ben', role: 'scribe' }],
    });
    await action().handler(ctx);
    const runId = output.runId as string;
    expect(output).toEqual({
      runId,
      runUrl: `https://portal.example.com/drills/runs/${runId}`,
      dryRun: false,
    });
    expect(posts()).toEqual([
      {
        method: 'POST',
        path: '/api/drills/runs',
        authorization: 'Bearer on-behalf:user:default/amy',
        body: {
          scenarioId: 'database-failover',
          calendarMonth: '2025-03',
          participants: [{ entityRef: 'user:default/ben', role: 'scribe' }],
        },
      },
    ]);
    expect(drills.runs.get(runId)!.participants).toEqual([
      { entityRef: 'user:default/amy', role: 'lead' },
      { entityRef: 'user:default/ben', role: 'scribe' },
    ]);
  });

  it('fails naming the permission when the initiator may not lead drills', async () => {
    const { ctx } = actionContext(
      { scenarioId: 'database-failover' },
      { user: 'user:default/bob' },
    );
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed: drills.run.lead',
    });
    expect(drills.runs.size).toBe(0);
  });

  it("surfaces the plugin's 400 message", async () => {
    const { ctx } = actionContext({ scenarioId: 'region-outage' });
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: 'No runbook region-outage to drill',
    });
  });

  it('a dry run checks the runbook and starts nothing', async () => {
    const { ctx, output, logs } = actionContext(
      { scenarioId: 'database-failover' },
      { isDryRun: true },
    );
    await action().handler(ctx);
    expect(output).toEqual({ dryRun: true });
    expect(logs()).toContain(
      'Dry run: would start a drill of database-failover (Database failover, 2 checkpoints) with 0 participant(s) besides the lead; nothing was started',
    );
    const missing = actionContext(
      { scenarioId: 'region-outage' },
      { isDryRun: true },
    );
    await expect(action().handler(missing.ctx)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No runbook region-outage',
    });
    expect(drills.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/drills/runbooks/database-failover',
      'GET /api/drills/runbooks/region-outage',
    ]);
  });
});
