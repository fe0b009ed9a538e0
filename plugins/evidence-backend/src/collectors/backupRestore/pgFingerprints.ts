import type { Knex } from 'knex';
import type { TableFingerprint } from './types';

/**
 * Output settings that make `row::text` the same on any server and session,
 * so a scratch database on another server hashes like the source.
 */
const STABLE_TEXT_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  'SET LOCAL extra_float_digits = 1',
  "SET LOCAL bytea_output = 'hex'",
];

/** Prepares a transaction for fingerprinting (call first in the transaction). */
export async function useStableTextOutput(trx: Knex.Transaction) {
  for (const statement of STABLE_TEXT_SETTINGS) await trx.raw(statement);
}

/** Ordinary tables (and partitions) outside the system schemas, as `schema.table`. */
export async function listTables(
  db: Knex | Knex.Transaction,
): Promise<Array<{ schema: string; table: string }>> {
  const result = await db.raw<{
    rows: Array<{ schema: string; table: string }>;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%'
        AND n.nspname NOT LIKE 'pg\\_temp%'
      ORDER BY 1, 2`,
  );
  return result.rows;
}

/**
 * Row count and checksum of one table, independent of physical row order.
 *
 * Each row is hashed as `md5(ROW(t.*)::text)`; the two 64-bit halves of
 * every hash are summed (as numeric, no overflow) and the checksum is the md5
 * of the two sums. Cost: one sequential scan of the table and one md5 per
 * row, constant memory, no sort: unlike `string_agg(... ORDER BY ...)`, which
 * sorts every hash and builds a 32-byte-per-row string that hits the 1 GB
 * text limit near 33 million rows. The sum is a multiset hash: the order of
 * rows does not change it; any changed, added or removed row does (short of
 * a deliberately crafted collision; this detects damage, not an attacker).
 */
export async function fingerprintTable(
  db: Knex | Knex.Transaction,
  schema: string,
  table: string,
): Promise<TableFingerprint> {
  const result = await db.raw<{
    rows: Array<{ rows: string; checksum: string }>;
  }>(
    `SELECT count(*)::text AS rows,
            md5(coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0)::text
                || ':' ||
                coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)::text) AS checksum
       FROM (SELECT md5(ROW(t.*)::text) AS h FROM ??.?? AS t) AS hashed`,
    [schema, table],
  );
  const [row] = result.rows;
  return { rows: Number(row.rows), checksum: row.checksum };
}

/**
 * Fingerprints every table the transaction sees. Sets the stable text output
 * first, so call it in a transaction of its own (or the snapshot transaction).
 */
export async function fingerprintDatabase(
  trx: Knex.Transaction,
  signal: AbortSignal,
): Promise<Map<string, TableFingerprint>> {
  await useStableTextOutput(trx);
  const fingerprints = new Map<string, TableFingerprint>();
  for (const { schema, table } of await listTables(trx)) {
    signal.throwIfAborted();
    fingerprints.set(
      `${schema}.${table}`,
      await fingerprintTable(trx, schema, table),
    );
  }
  return fingerprints;
}
