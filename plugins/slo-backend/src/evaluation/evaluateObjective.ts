import type {
  SloEvaluation,
  SloObjectiveState,
  SloSeries,
  SloStatus,
} from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import {
  Counts,
  EvaluableObjective,
  MINUTE_MS,
  MinuteBucket,
  PrefixSums,
  WindowSums,
  evaluate,
  longestWindowMs,
  timeToExhaustion,
  toSliceBuckets,
  windowRange,
} from '../engine';
import type { StoredObjective } from '../objectives/ObjectiveStore';
import { engineTiers } from '../objectives/tiers';
import {
  HOUR_MS,
  SLI_HOURS_TABLE,
  SLI_MINUTES_TABLE,
  hourOf,
} from '../samples/SampleStore';

/** What the engine needs of a stored objective. */
export function toEvaluable(stored: StoredObjective): EvaluableObjective {
  return {
    ref: stored.objective.id,
    target: stored.objective.target,
    window: stored.window,
    tiers: engineTiers(stored.tiers),
  };
}

/** A WindowSums that answers the ranges it was given, and records any other. */
export class AnsweringSums implements WindowSums {
  readonly asked = new Map<string, [number, number]>();
  constructor(private readonly answers = new Map<string, Counts>()) {}
  sum(fromExclusive: number, toInclusive: number): Counts {
    const key = `${fromExclusive}:${toInclusive}`;
    const known = this.answers.get(key);
    if (known) return known;
    this.asked.set(key, [fromExclusive, toInclusive]);
    return { good: 0, total: 0 };
  }
}

const toMs = (value: Date | string | number) => new Date(value).getTime();

/** A range (fromExclusive, toInclusive] of minutes split into the minutes at its ends and the whole hours between. */
interface SplitRange {
  /** Minute spans (fromExclusive, toInclusive]; empty ones dropped. */
  minutes: Array<[number, number]>;
  /** Whole hours [from, to), or none. */
  hours?: [number, number];
}

function splitRange([a, b]: [number, number]): SplitRange {
  const firstHour = Math.ceil((a + MINUTE_MS) / HOUR_MS) * HOUR_MS;
  const endHour = hourOf(b + MINUTE_MS);
  if (endHour <= firstHour) return { minutes: [[a, b]] };
  const minutes: Array<[number, number]> = [
    [a, firstHour - MINUTE_MS],
    [endHour - MINUTE_MS, b],
  ];
  return {
    minutes: minutes.filter(([x, y]) => y > x),
    hours: [firstHour, endHour],
  };
}

/**
 * Sums of several ranges of one objective's minutes: the whole hours inside
 * each range from `slo_sli_hours`, the minutes at its ends from
 * `slo_sli_minutes`, each in one query: a 30-day window reads 720 hours and
 * at most two hours of minutes, and the database adds them.
 */
export async function sumRanges(
  db: Knex,
  objectiveRef: string,
  ranges: ReadonlyArray<[number, number]>,
): Promise<Counts[]> {
  const sums = await sumRangesOfMany(db, [objectiveRef], ranges);
  return sums.get(objectiveRef)!;
}

/** Objectives per query of {@link sumRangesOfMany}. */
const REFS_PER_QUERY = 500;

/**
 * {@link sumRanges} for many objectives with the same ranges (objectives of
 * the same window and tiers, evaluated at the same minute): one minutes query
 * and one hours query per 500 objectives, grouped by objective.
 */
export async function sumRangesOfMany(
  db: Knex,
  objectiveRefs: readonly string[],
  ranges: ReadonlyArray<[number, number]>,
): Promise<Map<string, Counts[]>> {
  const result = new Map(
    objectiveRefs.map(ref => [ref, ranges.map(() => ({ good: 0, total: 0 }))]),
  );
  if (ranges.length === 0) return result;
  const split = ranges.map(splitRange);
  const add = (
    rows: Array<Record<string, number | string>>,
    has: (r: SplitRange) => boolean,
  ) => {
    for (const row of rows) {
      const sums = result.get(String(row.objective_ref));
      if (!sums) continue;
      split.forEach((r, i) => {
        if (!has(r)) return;
        sums[i].good += Number(row[`g${i}`] ?? 0);
        sums[i].total += Number(row[`t${i}`] ?? 0);
      });
    }
  };

  const spans = split.flatMap(r => r.minutes);
  const inSpans = (list: Array<[number, number]>) =>
    list.map(() => '(minute > ? and minute <= ?)').join(' or ');
  const spanBindings = (list: Array<[number, number]>) =>
    list.flatMap(([x, y]) => [new Date(x), new Date(y)]);
  const minuteColumns = split.flatMap((r, i) =>
    r.minutes.length === 0
      ? []
      : (['good', 'total'] as const).map(column =>
          db.raw(
            `coalesce(sum(case when ${inSpans(
              r.minutes,
            )} then ${column} else 0 end), 0) as ??`,
            [...spanBindings(r.minutes), `${column[0]}${i}`],
          ),
        ),
  );
  const hourRanges = split.flatMap(r => (r.hours ? [r.hours] : []));
  const hourColumns = split.flatMap((r, i) =>
    !r.hours
      ? []
      : (['good', 'total'] as const).map(column =>
          db.raw(
            `coalesce(sum(case when hour >= ? and hour < ? then ${column} else 0 end), 0) as ??`,
            [new Date(r.hours![0]), new Date(r.hours![1]), `${column[0]}${i}`],
          ),
        ),
  );

  for (let c = 0; c < objectiveRefs.length; c += REFS_PER_QUERY) {
    const refs = objectiveRefs.slice(c, c + REFS_PER_QUERY);
    if (spans.length > 0) {
      add(
        await db(SLI_MINUTES_TABLE)
          .whereIn('objective_ref', refs)
          .andWhere(q => q.whereRaw(inSpans(spans), spanBindings(spans)))
          .groupBy('objective_ref')
          .select('objective_ref', ...minuteColumns),
        r => r.minutes.length > 0,
      );
    }
    if (hourRanges.length > 0) {
      add(
        await db(SLI_HOURS_TABLE)
          .whereIn('objective_ref', refs)
          .andWhere(
            'hour',
            '>=',
            new Date(Math.min(...hourRanges.map(h => h[0]))),
          )
          .andWhere(
            'hour',
            '<',
            new Date(Math.max(...hourRanges.map(h => h[1]))),
          )
          .groupBy('objective_ref')
          .select('objective_ref', ...hourColumns),
        r => r.hours !== undefined,
      );
    }
  }
  return result;
}

/** The objective's minutes in (from, to], as buckets (slices for timeslices budgeting). */
async function readBuckets(
  db: Knex,
  stored: StoredObjective,
  fromExclusive: number,
  toInclusive: number,
): Promise<MinuteBucket[]> {
  const rows: Array<{
    minute: Date | string | number;
    good: unknown;
    total: unknown;
  }> = await db(SLI_MINUTES_TABLE)
    .where('objective_ref', stored.objective.id)
    .andWhere('minute', '>', new Date(fromExclusive))
    .andWhere('minute', '<=', new Date(toInclusive))
    .orderBy('minute')
    .select('minute', 'good', 'total');
  const minutes = rows.map(r => ({
    minute: toMs(r.minute),
    good: Number(r.good),
    total: Number(r.total),
  }));
  const { budgeting } = stored.objective;
  if (budgeting.method !== 'Timeslices') return minutes;
  return toSliceBuckets(
    minutes,
    budgeting.timeSliceWindowMinutes,
    budgeting.timeSliceTarget,
  );
}

/** The latest stored minute of an objective, if any. */
export async function latestMinute(
  db: Knex,
  objectiveRef: string,
): Promise<number | null> {
  const row = await db(SLI_MINUTES_TABLE)
    .where('objective_ref', objectiveRef)
    .max({ latest: 'minute' })
    .first();
  return row?.latest === null || row?.latest === undefined
    ? null
    : toMs(row.latest);
}

/** An evaluation as the API shows it. */
export function toStatus(
  stored: StoredObjective,
  evaluation: SloEvaluation,
  dataThrough: number | null,
): SloStatus {
  const hour = evaluation.burnRates['1h'];
  const { periodMs } = windowRange(stored.window, evaluation.at);
  const exhaustion =
    evaluation.sli === null || !hour || hour.noTraffic
      ? null
      : timeToExhaustion(evaluation.budgetRemaining, hour.burnRate, periodMs);
  return {
    objectiveRef: stored.objective.id,
    at: new Date(evaluation.at).toISOString(),
    sli: evaluation.sli,
    budgetRemaining: evaluation.budgetRemaining,
    timeToExhaustionMinutes:
      exhaustion === null ? null : Math.floor(exhaustion / MINUTE_MS),
    burnRates: evaluation.burnRates,
    firing: evaluation.firing,
    tiers: evaluation.tiers,
    dataThrough:
      dataThrough === null ? null : new Date(dataThrough).toISOString(),
  };
}

/** The overview's state of an evaluation. */
export function stateOf(status: SloStatus): SloObjectiveState {
  if (status.sli === null) return 'no-data';
  if (status.budgetRemaining <= 0) return 'exhausted';
  if (status.firing.length > 0) return 'firing';
  const hour = status.burnRates['1h'];
  if (hour && !hour.noTraffic && hour.burnRate > 1) return 'burning';
  return 'ok';
}

/**
 * Evaluates a stored objective as of minute `at`, from the store: the live
 * evaluation (at = the last whole minute) and `GET /status?at=` both call
 * this. The engine is run once to learn which ranges it sums, the database
 * sums them in one query, and the engine runs again on those sums.
 */
export async function evaluateAt(
  db: Knex,
  stored: StoredObjective,
  at: number,
): Promise<SloStatus> {
  const objective = toEvaluable(stored);
  const dataThrough = await latestMinute(db, objective.ref);
  let evaluation: SloEvaluation;
  if (stored.objective.budgeting.method === 'Timeslices') {
    const buckets = await readBuckets(
      db,
      stored,
      at - longestWindowMs(objective),
      at,
    );
    evaluation = evaluate(objective, new PrefixSums(buckets), at);
  } else {
    const ranges = rangesAsked(objective, at);
    const sums = await sumRanges(db, objective.ref, ranges);
    const answers = new Map(
      ranges.map(([a, b], i) => [`${a}:${b}`, sums[i]] as const),
    );
    evaluation = evaluate(objective, new AnsweringSums(answers), at);
  }
  return toStatus(stored, evaluation, dataThrough);
}

/** The ranges (fromExclusive, toInclusive] `evaluate` sums for an objective at `at`. */
export function rangesAsked(
  objective: EvaluableObjective,
  at: number,
): Array<[number, number]> {
  const probe = new AnsweringSums();
  evaluate(objective, probe, at);
  return [...probe.asked.values()];
}

/** At most this many points per series. */
export const MAX_SERIES_POINTS = 1500;

/**
 * The objective evaluated every `stepMinutes` from `from` to `to` (whole
 * minutes), for the charts: the minutes are read once into prefix sums and
 * the same `evaluate` runs at every step.
 */
export async function seriesOf(
  db: Knex,
  stored: StoredObjective,
  range: { from: number; to: number; stepMinutes: number },
): Promise<SloSeries> {
  const objective = toEvaluable(stored);
  const step = range.stepMinutes * MINUTE_MS;
  const buckets = await readBuckets(
    db,
    stored,
    range.from - longestWindowMs(objective),
    range.to,
  );
  const sums = new PrefixSums(buckets);
  const points: SloSeries['points'] = [];
  for (let at = range.from; at <= range.to; at += step) {
    const e = evaluate(objective, sums, at);
    points.push({
      at: new Date(at).toISOString(),
      sli: e.sli,
      budgetRemaining: e.budgetRemaining,
      burnRates: Object.fromEntries(
        Object.entries(e.burnRates).map(([w, b]) => [
          w,
          b.noTraffic ? null : b.burnRate,
        ]),
      ),
      firing: e.firing,
    });
  }
  return {
    objectiveRef: objective.ref,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    stepMinutes: range.stepMinutes,
    target: stored.objective.target,
    tiers: stored.tiers,
    points,
  };
}
