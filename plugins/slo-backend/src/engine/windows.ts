import type { SloTimeWindow } from '@internal/plugin-slo-common';
import { isGoodSlice } from './burnRate';

/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;

const UNIT_MS: Record<string, number> = {
  m: MINUTE_MS,
  h: 60 * MINUTE_MS,
  d: 24 * 60 * MINUTE_MS,
  w: 7 * 24 * 60 * MINUTE_MS,
};

/**
 * Counts for one minute. `minute` is the epoch ms of the start of a whole
 * UTC minute; good ≤ total.
 */
export interface MinuteBucket {
  minute: number;
  good: number;
  total: number;
}

/** good and total summed over a window. */
export interface Counts {
  good: number;
  total: number;
}

/**
 * Anything that can sum a window in O(1).
 *
 * Window convention (used everywhere): a window of length L evaluated at
 * minute `at` holds the minutes m with at - L < m ≤ at, i.e. L / 1 minute
 * buckets ending with the bucket of `at` itself. The minute exactly L before
 * `at` is out.
 */
export interface WindowSums {
  /** Sum of the buckets with fromExclusive < minute ≤ toInclusive. */
  sum(fromExclusive: number, toInclusive: number): Counts;
}

/**
 * Parses a duration such as '5m', '1h', '28d', '1w' into milliseconds.
 * Only whole minutes and positive lengths are allowed.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+)([mhdw])$/.exec(text.trim());
  if (!match || Number(match[1]) <= 0) {
    throw new Error(
      `Invalid duration '${text}': expected a positive number and m, h, d or w (e.g. 5m, 1h, 28d)`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** Throws unless `ms` is the start of a whole minute. */
export function assertWholeMinute(ms: number): void {
  if (!Number.isInteger(ms) || ms % MINUTE_MS !== 0) {
    throw new RangeError(`${ms} is not a whole minute (epoch ms)`);
  }
}

/**
 * The calendar period containing `at`, in UTC: a week starts Monday 00:00,
 * a month on the 1st at 00:00. `end` is exclusive (the next period's start).
 */
export function calendarPeriod(
  at: number,
  unit: 'week' | 'month',
): { start: number; end: number } {
  const date = new Date(at);
  const y = date.getUTCFullYear();
  const mo = date.getUTCMonth();
  if (unit === 'month') {
    return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
  }
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  const start = Date.UTC(y, mo, date.getUTCDate() - sinceMonday);
  return { start, end: start + UNIT_MS.w };
}

/**
 * The objective's window at minute `at`: the range to sum, and the length of
 * the period its budget is spread over (the rolling length, or the whole
 * calendar week/month, so a 31-day month has a larger budget in time).
 */
export function windowRange(
  window: SloTimeWindow,
  at: number,
): { fromExclusive: number; toInclusive: number; periodMs: number } {
  if (window.kind === 'rolling') {
    const periodMs = parseDuration(window.duration);
    return { fromExclusive: at - periodMs, toInclusive: at, periodMs };
  }
  const { start, end } = calendarPeriod(at, window.unit);
  return {
    fromExclusive: start - MINUTE_MS,
    toInclusive: at,
    periodMs: end - start,
  };
}

/** Sum of a rolling window of `durationMs` ending with minute `at`. */
export function sumWindow(
  sums: WindowSums,
  durationMs: number,
  at: number,
): Counts {
  return sums.sum(at - durationMs, at);
}

/**
 * Prefix sums over a fixed set of buckets: O(n) to build, O(1) per window.
 * Minutes without a bucket count as zero; a minute given twice keeps the
 * last one (a pushed minute replaces, it does not add).
 */
export class PrefixSums implements WindowSums {
  private readonly start: number;
  private readonly good: Float64Array;
  private readonly total: Float64Array;

  constructor(buckets: readonly MinuteBucket[]) {
    let min = Infinity;
    let max = -Infinity;
    for (const b of buckets) {
      assertWholeMinute(b.minute);
      min = Math.min(min, b.minute);
      max = Math.max(max, b.minute);
    }
    const n = buckets.length ? (max - min) / MINUTE_MS + 1 : 0;
    this.start = buckets.length ? min : 0;
    this.good = new Float64Array(n + 1);
    this.total = new Float64Array(n + 1);
    for (const b of buckets) {
      const i = (b.minute - this.start) / MINUTE_MS + 1;
      this.good[i] = b.good;
      this.total[i] = b.total;
    }
    for (let i = 1; i <= n; i++) {
      this.good[i] += this.good[i - 1];
      this.total[i] += this.total[i - 1];
    }
  }

  /** Index into the prefix arrays of the sum through minute m, clamped. */
  private index(m: number): number {
    const i = Math.floor((m - this.start) / MINUTE_MS) + 1;
    return Math.max(0, Math.min(this.good.length - 1, i));
  }

  sum(fromExclusive: number, toInclusive: number): Counts {
    if (toInclusive <= fromExclusive) return { good: 0, total: 0 };
    const a = this.index(fromExclusive);
    const b = this.index(toInclusive);
    return {
      good: this.good[b] - this.good[a],
      total: this.total[b] - this.total[a],
    };
  }
}

/**
 * Running sums over a ring of per-minute cumulative counts, holding enough
 * minutes for the longest window needed. Appending the next minute is O(1)
 * (plus the minutes of a gap, at most the ring's size); a window ending at or
 * before the last minute sums in O(1).
 *
 * The newest minute may be appended again: it replaces (a re-pushed minute).
 * An older minute throws; rebuild from the store instead.
 */
export class RunningSums implements WindowSums {
  private readonly size: number;
  private readonly good: Float64Array;
  private readonly total: Float64Array;
  private first: number | undefined;
  private last: number | undefined;

  /** @param longestWindowMs - the longest window any query will sum. */
  constructor(longestWindowMs: number) {
    this.size = Math.ceil(longestWindowMs / MINUTE_MS) + 1;
    this.good = new Float64Array(this.size);
    this.total = new Float64Array(this.size);
  }

  /** The newest minute appended, if any. */
  get lastMinute(): number | undefined {
    return this.last;
  }

  private slot(m: number): number {
    return (((m / MINUTE_MS) % this.size) + this.size) % this.size;
  }

  /** Cumulative counts through minute m (inclusive). */
  private cumulative(m: number): Counts {
    if (this.first === undefined || this.last === undefined || m < this.first) {
      return { good: 0, total: 0 };
    }
    const at = Math.min(m, this.last);
    const aligned = at - (((at % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
    if (aligned <= this.last - this.size * MINUTE_MS) {
      throw new RangeError(
        `minute ${aligned} is older than the ${this.size - 1} minutes kept`,
      );
    }
    const s = this.slot(aligned);
    return { good: this.good[s], total: this.total[s] };
  }

  /** Appends the next minute (or replaces the newest). */
  append(bucket: MinuteBucket): void {
    assertWholeMinute(bucket.minute);
    if (this.last === undefined) {
      this.first = bucket.minute;
      this.last = bucket.minute;
      const s = this.slot(bucket.minute);
      this.good[s] = bucket.good;
      this.total[s] = bucket.total;
      return;
    }
    if (bucket.minute < this.last) {
      throw new RangeError(
        `minute ${bucket.minute} is before the last appended ${this.last}`,
      );
    }
    const before = this.cumulative(bucket.minute - MINUTE_MS);
    // Fill a gap with the running total (zero counts), at most one ring's worth.
    const gapFrom = Math.max(
      this.last + MINUTE_MS,
      bucket.minute - (this.size - 1) * MINUTE_MS,
    );
    for (let m = gapFrom; m < bucket.minute; m += MINUTE_MS) {
      const s = this.slot(m);
      this.good[s] = before.good;
      this.total[s] = before.total;
    }
    const s = this.slot(bucket.minute);
    this.good[s] = before.good + bucket.good;
    this.total[s] = before.total + bucket.total;
    this.last = bucket.minute;
  }

  sum(fromExclusive: number, toInclusive: number): Counts {
    if (toInclusive <= fromExclusive) return { good: 0, total: 0 };
    const a = this.cumulative(fromExclusive);
    const b = this.cumulative(toInclusive);
    return { good: b.good - a.good, total: b.total - a.total };
  }
}

/**
 * Timeslices: turns minute buckets into slice buckets of `sliceMinutes`
 * minutes, each with total 1 and good 1 when its ratio meets
 * `sliceThreshold` (0 otherwise). A slice without traffic is left out (a gap,
 * neither good nor bad). Each slice is keyed by its first minute, so the
 * same {@link WindowSums} and burn-rate code then count slices.
 */
export function toSliceBuckets(
  buckets: readonly MinuteBucket[],
  sliceMinutes: number,
  sliceThreshold: number,
): MinuteBucket[] {
  const sliceMs = sliceMinutes * MINUTE_MS;
  const slices = new Map<number, Counts>();
  for (const b of buckets) {
    const start = Math.floor(b.minute / sliceMs) * sliceMs;
    const c = slices.get(start) ?? { good: 0, total: 0 };
    c.good += b.good;
    c.total += b.total;
    slices.set(start, c);
  }
  const out: MinuteBucket[] = [];
  for (const [minute, c] of [...slices].sort((x, y) => x[0] - y[0])) {
    const good = isGoodSlice(c.good, c.total, sliceThreshold);
    if (good !== null) out.push({ minute, good: good ? 1 : 0, total: 1 });
  }
  return out;
}
