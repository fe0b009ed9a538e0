import knexFactory, { Knex } from 'knex';
import { countsSql } from './traffic';
import { MINUTE_MS } from './util';

/** The PostgreSQL server the benchmark creates its databases on. */
export const POSTGRES =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

const PREFIX = 'slo_bench_';

function connectionTo(database: string): string {
  const url = new URL(POSTGRES);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A database name of this run: `slo_bench_<epoch seconds>_<random>_<suffix>`. */
export function uniqueName(suffix: string, run: string): string {
  return `${PREFIX}${run}_${suffix}`;
}

export function runId(): string {
  return `${Math.floor(Date.now() / 1000)}_${Math.random()
    .toString(36)
    .slice(2, 8)}`;
}

function admin(): Knex {
  return knexFactory({
    client: 'pg',
    connection: connectionTo('postgres'),
    pool: { min: 0, max: 1 },
  });
}

/** Drops databases of earlier runs that are older than two hours (an interrupted run). */
export async function sweepStale(): Promise<string[]> {
  const db = admin();
  try {
    const rows: { datname: string }[] = (
      await db.raw(`SELECT datname FROM pg_database WHERE datname LIKE ?`, [
        `${PREFIX}%`,
      ])
    ).rows;
    const dropped: string[] = [];
    for (const { datname } of rows) {
      const seconds = Number(/^slo_bench_(\d+)_/.exec(datname)?.[1]);
      if (!(seconds > 0) || Date.now() / 1000 - seconds < 7200) continue;
      await db.raw(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      dropped.push(datname);
    }
    return dropped;
  } finally {
    await db.destroy();
  }
}

export interface BenchDatabase {
  name: string;
  knex: Knex;
  drop(): Promise<void>;
}

export async function createDatabase(
  name: string,
  poolMax = 4,
): Promise<BenchDatabase> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad name ${name}`);
  const db = admin();
  try {
    await db.raw(`CREATE DATABASE "${name}"`);
  } finally {
    await db.destroy();
  }
  const knex = knexFactory({
    client: 'pg',
    connection: connectionTo(name),
    pool: { min: 0, max: poolMax },
  });
  return {
    name,
    knex,
    async drop() {
      await knex.destroy().catch(() => {});
      const a = admin();
      try {
        await a.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.destroy();
      }
    },
  };
}

/**
 * Writes the minutes (fromExclusive, toInclusive] of every objective into
 * `slo_sli_minutes`, generated inside PostgreSQL (INSERT … SELECT over
 * generate_series, one statement per objective, `concurrency` at once):
 * no rows cross the wire. Each minute's `updated_at` is the end of that
 * minute, as if pushed live (the service's clock is the benchmark's, and
 * the live evaluation reads rows written since its last run by
 * `updated_at`), and their hourly sums into `slo_sli_hours`, as the
 * sample store keeps them. Returns the minute rows written.
 */
export async function bulkLoad(
  knex: Knex,
  objectives: ReadonlyArray<{ ref: string; index: number }>,
  range: { fromExclusive: number; toInclusive: number; source: string },
  options: { concurrency: number; progress?: (done: number) => void },
): Promise<number> {
  const m0 = range.fromExclusive / MINUTE_MS + 1;
  const m1 = range.toInclusive / MINUTE_MS;
  let next = 0;
  let done = 0;
  let rows = 0;
  const worker = async () => {
    while (next < objectives.length) {
      const o = objectives[next++];
      const c = countsSql(o.index);
      const result = await knex.raw(
        `INSERT INTO slo_sli_minutes (objective_ref, minute, good, total, source, updated_at)
         SELECT ?, to_timestamp(m * 60), t - (${c.bad}), t, ?, to_timestamp(m * 60 + 60)
         FROM generate_series(?::bigint, ?::bigint) AS m,
              LATERAL (SELECT ${c.total} AS t) AS x`,
        [o.ref, range.source, m0, m1],
      );
      rows += result.rowCount ?? 0;
      // The hourly sums the sample store keeps with its minutes.
      await knex.raw(
        `INSERT INTO slo_sli_hours (objective_ref, hour, good, total)
         SELECT objective_ref, date_trunc('hour', minute), sum(good), sum(total)
         FROM slo_sli_minutes
         WHERE objective_ref = ? AND minute > to_timestamp(?) AND minute <= to_timestamp(?)
         GROUP BY objective_ref, date_trunc('hour', minute)
         ON CONFLICT (objective_ref, hour) DO UPDATE
           SET good = slo_sli_hours.good + excluded.good,
               total = slo_sli_hours.total + excluded.total`,
        [o.ref, range.fromExclusive / 1000, range.toInclusive / 1000],
      );
      done += 1;
      options.progress?.(done);
    }
  };
  await Promise.all(
    Array.from({ length: options.concurrency }, () => worker()),
  );
  return rows;
}
