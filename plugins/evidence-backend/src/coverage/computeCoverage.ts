import {
  CADENCE_DAYS,
  CoverageReport,
  Criterion,
  EvidenceCadence,
  EvidenceException,
  PointCoverage,
  PointStatus,
} from '@internal/plugin-evidence-common';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CoverageInputs {
  criteria: Criterion[];
  /** Per point and cadence, the newest period end of its evidence. */
  newest: Array<{
    point: string;
    cadence: EvidenceCadence;
    lastPeriodEnd: Date;
  }>;
  /** Per point, how many items and the newest collection. */
  stats: Array<{
    point: string;
    itemCount: number;
    lastCollectedAt: Date | null;
  }>;
  /** Exceptions in force at `now`. */
  exceptions: EvidenceException[];
  /** Per point, the registered collectors whose evidence supports it. */
  collectorsByPoint: Map<string, string[]>;
  now: Date;
}

const emptyCounts = (): Record<PointStatus, number> => ({
  fresh: 0,
  stale: 0,
  missing: 0,
  exception: 0,
});

/**
 * Coverage of every point, computed from evidence rows: fresh while some of
 * its evidence is within the cadence of its type (counted from the end of
 * the period it covers), stale once all of it is older, missing with none.
 * A point without fresh evidence but with an exception in force is
 * `exception`: counted apart, never as coverage.
 */
export function computeCoverage(inputs: CoverageInputs): CoverageReport {
  const freshUntilByPoint = new Map<string, number>();
  for (const { point, cadence, lastPeriodEnd } of inputs.newest) {
    const until = lastPeriodEnd.getTime() + CADENCE_DAYS[cadence] * DAY_MS;
    freshUntilByPoint.set(
      point,
      Math.max(freshUntilByPoint.get(point) ?? -Infinity, until),
    );
  }
  const statsByPoint = new Map(inputs.stats.map(s => [s.point, s]));
  const exceptionByPoint = new Map<string, EvidenceException>();
  for (const exception of inputs.exceptions) {
    if (!exceptionByPoint.has(exception.point)) {
      exceptionByPoint.set(exception.point, exception);
    }
  }
  const now = inputs.now.getTime();
  const total = emptyCounts();
  const criteria = inputs.criteria.map(criterion => {
    const counts = emptyCounts();
    const points = criterion.points.map((point): PointCoverage => {
      const stats = statsByPoint.get(point.id);
      const freshUntil = freshUntilByPoint.get(point.id);
      const exception = exceptionByPoint.get(point.id) ?? null;
      let status: PointStatus;
      if (freshUntil !== undefined && freshUntil > now) status = 'fresh';
      else if (exception) status = 'exception';
      else if (stats && stats.itemCount > 0) status = 'stale';
      else status = 'missing';
      counts[status] += 1;
      total[status] += 1;
      return {
        id: point.id,
        title: point.title,
        status,
        itemCount: stats?.itemCount ?? 0,
        lastCollectedAt: stats?.lastCollectedAt?.toISOString() ?? null,
        freshUntil:
          freshUntil === undefined ? null : new Date(freshUntil).toISOString(),
        collectors: inputs.collectorsByPoint.get(point.id) ?? [],
        exception,
      };
    });
    return { id: criterion.id, title: criterion.title, points, counts };
  });
  return { at: inputs.now.toISOString(), criteria, counts: total };
}
