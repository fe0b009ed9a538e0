import { actionContext } from '../pluginApis/__testUtils__/actionContext';
import { startFakeDrillsApi } from '../pluginApis/__testUtils__/fakeDrillsApi';
import {
  fakeAuth,
  fakeDiscovery,
} from '../pluginApis/__testUtils__/fakePluginServer';
import {
  createDrillCheckpointAction,
  DRILL_CHECKPOINT_ACTION_ID,
} from './drillCheckpoint';
import { createDrillStartAction } from './drillStart';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

describe('ops:drill:checkpoint', () => {
  let drills: Awaited<ReturnType<typeof startFakeDrillsApi>>;
  let runId: string;
  beforeEach(async () => {
    drills = await startFakeDrillsApi({
      runbooks: [
        {
          id: 'database-failover',
          title: 'Database failover',
          checkpoints: [
            {
              id: 'detected',
              title: 'Detected',
              targetMinutes: 5,
              phase: 'detect',
            },
            {
              id: 'recovered',
              title: 'Recovered',
              targetMinutes: 30,
              phase: 'recover',
            },
          ],
        },
      ],
    });
    // amy leads a run started at the fake's clock, with ben as scribe.
    const start = actionContext({
      scenarioId: 'database-failover',
      participants: [{ entityRef: 'user:default/ben', role: 'scribe' }],
    });
    await createDrillStartAction({
      auth: fakeAuth(),
      discovery: fakeDiscovery(drills.url),
      appBaseUrl: 'https://portal.example.com',
    }).handler(start.ctx);
    runId = start.output.runId as string;
    drills.requests.length = 0;
  });
  afterEach(() => drills.close());

  const minutesLater = (minutes: number) => {
    drills.clock.now = new Date(drills.clock.now.getTime() + minutes * 60_000);
    return drills.clock.now;
  };
  const action = () =>
    createDrillCheckpointAction({
      auth: fakeAuth(),
      discovery: fakeDiscovery(drills.url),
      clock: () => drills.clock.now,
    });
  const posts = () => drills.requests.filter(r => r.method === 'POST');

  it('declares id, dry-run support, examples and schemas', () => {
    const a = action();
    expect(a.id).toBe(DRILL_CHECKPOINT_ACTION_ID);
    expect(a.supportsDryRun).toBe(true);
    expect(a.examples?.length).toBeGreaterThan(0);
    expect((a.schema?.input as any).required).toEqual([
      'runId',
      'checkpointId',
    ]);
  });

  it('records the checkpoint as the initiator and outputs its timing', async () => {
    const reachedAt = minutesLater(4.5);
    const { ctx, output, logs } = actionContext(
      { runId, checkpointId: 'detected' },
      { user: 'user:default/ben' },
    );
    await action().handler(ctx);
    expect(output).toEqual({
      checkpointId: 'detected',
      title: 'Detected',
      targetMinutes: 5,
      elapsedMinutes: 4.5,
      passed: true,
      reachedAt: reachedAt.toISOString(),
      dryRun: false,
    });
    expect(drills.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      `GET /api/drills/runs/${runId}`,
      `POST /api/drills/runs/${runId}/checkpoints/detected`,
    ]);
    expect(posts()[0]).toMatchObject({
      authorization: 'Bearer on-behalf:user:default/ben',
      body: {},
    });
    expect(logs()).toContain(
      `Checkpoint detected of run ${runId} reached after 4.5 min against a target of 5 min: passed`,
    );
  });

  it('a checkpoint reached late is missed', async () => {
    minutesLater(41);
    const { ctx, output } = actionContext({ runId, checkpointId: 'recovered' });
    await action().handler(ctx);
    expect(output).toMatchObject({ passed: false, elapsedMinutes: 41 });
  });

  it("fails with the plugin's 403 when the initiator takes no part", async () => {
    const { ctx } = actionContext(
      { runId, checkpointId: 'detected' },
      { user: 'user:default/eve' },
    );
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: `Not allowed: user:default/eve takes no part in run ${runId}`,
    });
    expect(drills.runs.get(runId)!.checkpoints[0].reachedAt).toBeNull();
  });

  it('fails clearly on an unknown or already reached checkpoint', async () => {
    const unknown = actionContext({ runId, checkpointId: 'mitigated' });
    await expect(action().handler(unknown.ctx)).rejects.toThrow(
      `Run ${runId} (database-failover) has no checkpoint mitigated; it has detected, recovered`,
    );
    await action().handler(
      actionContext({ runId, checkpointId: 'detected' }).ctx,
    );
    const again = actionContext({ runId, checkpointId: 'detected' });
    await expect(action().handler(again.ctx)).rejects.toMatchObject({
      name: 'ConflictError',
      message: `Checkpoint detected of run ${runId} was reached already, at ${drills.clock.now.toISOString()}`,
    });
    expect(posts()).toHaveLength(1);
  });

  it("surfaces the plugin's 404 for an unknown run", async () => {
    const { ctx } = actionContext({
      runId: 'no-such-run',
      checkpointId: 'detected',
    });
    await expect(action().handler(ctx)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No drill run no-such-run',
    });
  });

  it('a dry run reads the run and records nothing', async () => {
    minutesLater(3);
    const { ctx, output, logs } = actionContext(
      { runId, checkpointId: 'detected' },
      { isDryRun: true },
    );
    await action().handler(ctx);
    expect(output).toEqual({
      checkpointId: 'detected',
      title: 'Detected',
      targetMinutes: 5,
      dryRun: true,
    });
    expect(logs()).toContain(
      `Dry run: would record checkpoint detected (Detected) of run ${runId} as reached, 3 min after the start against a target of 5 min; nothing was recorded`,
    );
    expect(posts()).toEqual([]);
    expect(drills.runs.get(runId)!.checkpoints[0].reachedAt).toBeNull();
  });
});
