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
    const upsert = (db: Knex, chunk: MinuteRow[]) =>
      db<MinuteRow>(SLI_MINUTES_TABLE)
        .insert(chunk)
        .onConflict(['objective_ref', 'minute'])
        .merge(['good', 'total', 'source', 'updated_at']);
    if (rows.length <= ROWS_PER_STATEMENT) {
      await upsert(this.db, rows);
    } else {
      await this.db.transaction(async tx => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          await upsert(tx, rows.slice(i, i + ROWS_PER_STATEMENT));
        }
      });
    }
    return rows.length;
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
