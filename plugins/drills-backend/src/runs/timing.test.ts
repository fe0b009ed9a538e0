import {
  minutesBetween,
  phaseTimings,
  summarizeHistory,
  timeCheckpoint,
} from './timing';

const START = '2026-12-01T09:00:00.000Z';
const at = (minutes: number) =>
  new Date(Date.parse(START) + minutes * 60_000).toISOString();

const checkpoint = (
  id: string,
  phase: string,
  position: number,
  targetMinutes: number,
  reachedAfter: number | null,
) =>
  timeCheckpoint(
    {
      id,
      title: id,
      phase,
      position,
      targetMinutes,
      reachedAt: reachedAfter === null ? null : at(reachedAfter),
      reachedBy: reachedAfter === null ? null : 'user:default/lead',
    },
    START,
  );

describe('timeCheckpoint', () => {
  it('passes a checkpoint reached exactly at its target and fails one a second later', () => {
    expect(checkpoint('a', 'detect', 0, 5, 5)).toMatchObject({
      elapsedMinutes: 5,
      passed: true,
    });
    const late = timeCheckpoint(
      {
        id: 'b',
        title: 'b',
        phase: 'detect',
        position: 0,
        targetMinutes: 5,
        reachedAt: new Date(
          Date.parse(START) + 5 * 60_000 + 1000,
        ).toISOString(),
        reachedBy: 'user:default/lead',
      },
      START,
    );
    expect(late).toMatchObject({ elapsedMinutes: 5.02, passed: false });
  });

  it('leaves an unreached checkpoint without time and not passed', () => {
    expect(checkpoint('a', 'detect', 0, 5, null)).toMatchObject({
      reachedAt: null,
      elapsedMinutes: null,
      passed: false,
    });
  });

  it('keeps minutes to two decimals', () => {
    expect(minutesBetween(START, '2026-12-01T09:01:30.000Z')).toBe(1.5);
    expect(minutesBetween(START, '2026-12-01T09:00:20.000Z')).toBe(0.33);
  });
});

describe('phaseTimings', () => {
  it('takes the last checkpoint of each phase by position, in checkpoint order', () => {
    const timings = phaseTimings([
      checkpoint('recovered', 'recover', 3, 60, 50),
      checkpoint('paged', 'detect', 0, 5, 3),
      checkpoint('triaged', 'detect', 1, 10, 12),
      checkpoint('failover', 'respond', 2, 15, null),
    ]);
    expect(timings).toEqual([
      {
        phase: 'detect',
        checkpointId: 'triaged',
        targetMinutes: 10,
        minutes: 12,
        passed: false,
      },
      {
        phase: 'respond',
        checkpointId: 'failover',
        targetMinutes: 15,
        minutes: null,
        passed: false,
      },
      {
        phase: 'recover',
        checkpointId: 'recovered',
        targetMinutes: 60,
        minutes: 50,
        passed: true,
      },
    ]);
  });
});

describe('summarizeHistory', () => {
  it('groups by scenario, orders runs by start and computes pass rates', () => {
    const history = summarizeHistory([
      {
        id: 'r2',
        scenarioId: 'failover',
        title: 'Failover v2',
        startedAt: '2026-11-03T09:00:00.000Z',
        finishedAt: '2026-11-03T10:00:00.000Z',
        checkpoints: [checkpoint('paged', 'detect', 0, 5, 4)],
      },
      {
        id: 'r1',
        scenarioId: 'failover',
        title: 'Failover v1',
        startedAt: '2026-10-06T09:00:00.000Z',
        finishedAt: '2026-10-06T09:45:00.000Z',
        checkpoints: [
          checkpoint('paged', 'detect', 0, 5, 6),
          checkpoint('recovered', 'recover', 1, 60, 30),
        ],
      },
      {
        id: 'r3',
        scenarioId: 'backup',
        title: 'Backup',
        startedAt: '2026-09-01T09:00:00.000Z',
        finishedAt: '2026-09-01T09:10:00.000Z',
        checkpoints: [],
      },
    ]);
    expect(history.map(h => h.scenarioId)).toEqual(['backup', 'failover']);
    expect(history[0]).toMatchObject({
      checkpointsTotal: 0,
      passRate: null,
      runs: [{ runId: 'r3', durationMinutes: 10, passRate: null }],
    });
    const failover = history[1];
    expect(failover.title).toBe('Failover v2');
    expect(failover.runs.map(r => r.runId)).toEqual(['r1', 'r2']);
    expect(failover.runs[0]).toMatchObject({
      durationMinutes: 45,
      timeToDetectMinutes: 6,
      timeToRespondMinutes: null,
      timeToRecoverMinutes: 30,
      checkpointsPassed: 1,
      checkpointsTotal: 2,
      passRate: 0.5,
    });
    expect(failover).toMatchObject({
      checkpointsPassed: 2,
      checkpointsTotal: 3,
      passRate: 2 / 3,
    });
  });
});
