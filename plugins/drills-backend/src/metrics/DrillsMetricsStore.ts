import type { Knex } from 'knex';

/** `RunStore`'s runs table. */
const RUNS = 'drill_runs';

/** Counts of the drills plugin's rows for its metrics. */
export class DrillsMetricsStore {
  constructor(private readonly db: Knex) {}

  /** Runs by state, in one query. */
  async runsByState(): Promise<Array<{ state: string; count: number }>> {
    const rows: Array<{ state: string; count: number | string }> =
      await this.db(RUNS)
        .groupBy('state')
        .select('state')
        .count({ count: '*' });
    return rows.map(row => ({ state: row.state, count: Number(row.count) }));
  }
}
