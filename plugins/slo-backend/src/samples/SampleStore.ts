import type { SliSource, SloMinute } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';

/** One minute's counts as the store takes them: `minute` is a whole UTC minute. */
export interface MinuteCounts {
  minute: Date;
  good: number;
  total: number;
}

/** The per-minute SLI buckets of every objective (table `slo_sli_minutes`). */
export interface SampleStore {
  /**
   * Writes the minutes of one objective, all or none. A minute already
   * stored is replaced (its counts and source), never added to: pushing the
   * same minute twice leaves the second push's counts. Returns how many
   * minutes were written.
   */
  upsertMinutes(
    objectiveRef: string,
    minutes: readonly MinuteCounts[],
    source: SliSource,
  ): Promise<number>;
  /** The stored minutes of one objective in [from, to], oldest first. */
  readRange(objectiveRef: string, from: Date, to: Date): Promise<SloMinute[]>;
  /** The newest stored minute of one objective, if any. */
  latestMinute(objectiveRef: string): Promise<Date | undefined>;
}

interface MinuteRow {
  objective_ref: string;
  minute: Date | string | number;
  good: number | string;
  total: number | string;
  source: SliSource;
  updated_at: Date | string | number;
}

export const SLI_MINUTES_TABLE = 'slo_sli_minutes';

/** Hourly sums of the minutes, written with them (see `upsertMinutes`). */
export const SLI_HOURS_TABLE = 'slo_sli_hours';

export const HOUR_MS = 3_600_000;

/** The start of the UTC hour of an instant (epoch ms). */
export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * Rows per INSERT. On SQLite knex writes a multi-row insert as one SELECT
 * per row joined by UNION ALL, and SQLite allows at most 500 of those; six
 * bound values a row also stays far under both databases' parameter limits.
 * A longer batch is several statements in one transaction, so it is still
 * stored all or none.
 */
const ROWS_PER_STATEMENT = 400;

/** {@link SampleStore} on the plugin's database, PostgreSQL or SQLite. */
export class KnexSampleStore implements SampleStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async upsertMinutes(
    objectiveRef: string,
    minutes: readonly MinuteCounts[],
    source: SliSource,
  ): Promise<number> {
    if (minutes.length === 0) return 0;
    const updatedAt = this.now();
    const rows: MinuteRow[] = minutes.map(m => ({
      objective_ref: objectiveRef,
      minute: m.minute,
      good: m.good,
      total: m.total,
      source,
      updated_at: updatedAt,
    }));
    await this.db.transaction(async tx => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        await tx<MinuteRow>(SLI_MINUTES_TABLE)
          .insert(rows.slice(i, i + ROWS_PER_STATEMENT))
          .onConflict(['objective_ref', 'minute'])
          .merge(['good', 'total', 'source', 'updated_at']);
      }
      await this.#sumHours(tx, objectiveRef, minutes);
    });
    return rows.length;
  }

  /**
   * Sums the hours the written minutes fall in again, from the stored
   * minutes (a replaced minute replaces its share of the hour).
   */
  async #sumHours(
    tx: Knex.Transaction,
    objectiveRef: string,
    minutes: readonly MinuteCounts[],
  ): Promise<void> {
    const hours = new Set(minutes.map(m => hourOf(m.minute.getTime())));
    const first = Math.min(...hours);
    const last = Math.max(...hours);
    const stored: Array<Pick<MinuteRow, 'minute' | 'good' | 'total'>> =
      await tx(SLI_MINUTES_TABLE)
        .where('objective_ref', objectiveRef)
        .andWhere('minute', '>=', new Date(first))
        .andWhere('minute', '<', new Date(last + HOUR_MS))
        .select('minute', 'good', 'total');
    const sums = new Map<number, { good: number; total: number }>();
    for (const hour of hours) sums.set(hour, { good: 0, total: 0 });
    for (const row of stored) {
      const sum = sums.get(hourOf(toDate(row.minute).getTime()));
      if (!sum) continue; // an hour between two written ones, unchanged
      sum.good += Number(row.good);
      sum.total += Number(row.total);
    }
    const hourRows = [...sums].map(([hour, sum]) => ({
      objective_ref: objectiveRef,
      hour: new Date(hour),
      good: sum.good,
      total: sum.total,
    }));
    for (let i = 0; i < hourRows.length; i += ROWS_PER_STATEMENT) {
      await tx(SLI_HOURS_TABLE)
        .insert(hourRows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict(['objective_ref', 'hour'])
        .merge(['good', 'total']);
    }
  }

  async readRange(
    objectiveRef: string,
    from: Date,
    to: Date,
  ): Promise<SloMinute[]> {
    const rows = await this.db<MinuteRow>(SLI_MINUTES_TABLE)
      .where('objective_ref', objectiveRef)
      .andWhere('minute', '>=', from)
      .andWhere('minute', '<=', to)
      .orderBy('minute', 'asc')
      .select('minute', 'good', 'total', 'source');
    return rows.map(row => ({
      minute: toDate(row.minute).toISOString(),
      good: Number(row.good),
      total: Number(row.total),
      source: row.source,
    }));
  }

  async latestMinute(objectiveRef: string): Promise<Date | undefined> {
    const row = await this.db<MinuteRow>(SLI_MINUTES_TABLE)
      .where('objective_ref', objectiveRef)
      .orderBy('minute', 'desc')
      .first('minute');
    return row ? toDate(row.minute) : undefined;
  }
}

/** PostgreSQL answers a Date; SQLite the epoch milliseconds knex stored. */
function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}
