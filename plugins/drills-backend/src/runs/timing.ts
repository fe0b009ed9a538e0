import type {
  PhaseTiming,
  RunCheckpoint,
  RunHistoryEntry,
  ScenarioHistory,
} from './types';

const MINUTE_MS = 60_000;

/** Minutes between two instants, to two decimals (90 s is 1.5). */
export function minutesBetween(from: Date | string, to: Date | string): number {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return Math.round(ms / (MINUTE_MS / 100)) / 100;
}

/** A checkpoint as stored, before timing. */
export interface CheckpointFacts {
  id: string;
  title: string;
  phase: string;
  targetMinutes: number;
  position: number;
  reachedAt: string | null;
  reachedBy: string | null;
}

/**
 * Times a checkpoint against the start of its run: passed when reached no
 * later than its target (compared in milliseconds, not rounded minutes).
 */
export function timeCheckpoint(
  checkpoint: CheckpointFacts,
  startedAt: string,
): RunCheckpoint {
  if (checkpoint.reachedAt === null) {
    return { ...checkpoint, elapsedMinutes: null, passed: false };
  }
  const elapsedMs =
    new Date(checkpoint.reachedAt).getTime() - new Date(startedAt).getTime();
  return {
    ...checkpoint,
    elapsedMinutes: minutesBetween(startedAt, checkpoint.reachedAt),
    passed: elapsedMs <= checkpoint.targetMinutes * MINUTE_MS,
  };
}

/** A finished run and its timed checkpoints, as `summarizeHistory` reads them. */
export interface FinishedRunFacts {
  id: string;
  scenarioId: string;
  title: string;
  startedAt: string;
  finishedAt: string;
  checkpoints: RunCheckpoint[];
}

const rate = (passed: number, total: number) =>
  total === 0 ? null : passed / total;

/**
 * The last checkpoint of each phase, by position, in the order those
 * checkpoints come: the time to detect is the minutes to the last
 * checkpoint of the detect phase, and so on.
 */
export function phaseTimings(checkpoints: RunCheckpoint[]): PhaseTiming[] {
  const last = new Map<string, RunCheckpoint>();
  for (const checkpoint of checkpoints) {
    const seen = last.get(checkpoint.phase);
    if (!seen || checkpoint.position > seen.position) {
      last.set(checkpoint.phase, checkpoint);
    }
  }
  return [...last.values()]
    .sort((a, b) => a.position - b.position)
    .map(checkpoint => ({
      phase: checkpoint.phase,
      checkpointId: checkpoint.id,
      targetMinutes: checkpoint.targetMinutes,
      minutes: checkpoint.elapsedMinutes,
      passed: checkpoint.passed,
    }));
}

export function historyEntry(run: FinishedRunFacts): RunHistoryEntry {
  const phases = phaseTimings(run.checkpoints);
  const minutesOf = (phase: string) =>
    phases.find(p => p.phase === phase)?.minutes ?? null;
  const passed = run.checkpoints.filter(c => c.passed).length;
  return {
    runId: run.id,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMinutes: minutesBetween(run.startedAt, run.finishedAt),
    phases,
    timeToDetectMinutes: minutesOf('detect'),
    timeToRespondMinutes: minutesOf('respond'),
    timeToRecoverMinutes: minutesOf('recover'),
    checkpointsPassed: passed,
    checkpointsTotal: run.checkpoints.length,
    passRate: rate(passed, run.checkpoints.length),
  };
}

/**
 * Per scenario (by id), its finished runs oldest first with their phase
 * timings and checkpoint pass rate, and the pass rate over all of them. A
 * checkpoint never reached counts as failed.
 */
export function summarizeHistory(runs: FinishedRunFacts[]): ScenarioHistory[] {
  const byScenario = new Map<string, FinishedRunFacts[]>();
  for (const run of runs) {
    const list = byScenario.get(run.scenarioId) ?? [];
    list.push(run);
    byScenario.set(run.scenarioId, list);
  }
  return [...byScenario.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([scenarioId, scenarioRuns]) => {
      const ordered = [...scenarioRuns].sort(
        (a, b) =>
          new Date(a.startedAt).getTime() - new Date(b.startedAt).getTime() ||
          (a.id < b.id ? -1 : 1),
      );
      const entries = ordered.map(historyEntry);
      const passed = entries.reduce((n, e) => n + e.checkpointsPassed, 0);
      const total = entries.reduce((n, e) => n + e.checkpointsTotal, 0);
      return {
        scenarioId,
        title: ordered[ordered.length - 1].title,
        runs: entries,
        checkpointsPassed: passed,
        checkpointsTotal: total,
        passRate: rate(passed, total),
      };
    });
}
