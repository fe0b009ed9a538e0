import { createHash, type Hash } from 'node:crypto';
import type { SqliteDatabase } from './sqliteDriver';
import type { TableFingerprint } from './types';

/** Rows hashed between two turns of the event loop (SQLite calls block). */
const ROWS_PER_TURN = 5000;

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Ordinary tables of the main schema, without SQLite's own `sqlite_*`. */
export function listSqliteTables(
  db: SqliteDatabase,
): Array<{ name: string; withoutRowid: boolean }> {
  const rows = db
    .prepare(
      `SELECT name, wr FROM pragma_table_list
        WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
        ORDER BY name`,
    )
    .all() as Array<{ name: string; wr: number }>;
  return rows.map(row => ({ name: row.name, withoutRowid: row.wr === 1 }));
}

/** The ORDER BY that gives a table's rows in storage-key order. */
function orderBy(db: SqliteDatabase, table: string, withoutRowid: boolean) {
  if (!withoutRowid) return '_rowid_';
  const columns = db
    .prepare(
      'SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk',
    )
    .all(table) as Array<{ name: string }>;
  return columns.map(column => quoteIdentifier(column.name)).join(', ');
}

/**
 * Feeds one value to the hash in a self-delimiting form: a type tag, then a
 * length where the value has one, so no two different rows hash alike.
 */
function hashValue(hash: Hash, value: unknown) {
  if (value === null || value === undefined) {
    hash.update('n;');
  } else if (typeof value === 'bigint') {
    hash.update(`i${value};`);
  } else if (typeof value === 'number') {
    hash.update(`r${Object.is(value, -0) ? '-0' : String(value)};`);
  } else if (Buffer.isBuffer(value)) {
    hash.update(`b${value.length}:`);
    hash.update(value);
  } else {
    const text = Buffer.from(String(value), 'utf8');
    hash.update(`s${text.length}:`);
    hash.update(text);
  }
}

/**
 * Row count and SHA-256 of one table's rows in rowid (or primary key) order,
 * integers read exactly (as bigint), blobs as bytes. The backup API copies
 * pages, so rowids and their order are the same in a faithful copy. Cost: one
 * scan of the table in key order; yields to the event loop every
 * {@link ROWS_PER_TURN} rows and stops there when `signal` aborts.
 */
export async function fingerprintSqliteTable(
  db: SqliteDatabase,
  table: { name: string; withoutRowid: boolean },
  signal: AbortSignal,
): Promise<TableFingerprint> {
  const statement = db
    .prepare(
      `SELECT * FROM ${quoteIdentifier(table.name)} ORDER BY ${orderBy(
        db,
        table.name,
        table.withoutRowid,
      )}`,
    )
    .raw(true)
    .safeIntegers(true);
  const hash = createHash('sha256');
  let rows = 0;
  for (const row of statement.iterate() as IterableIterator<unknown[]>) {
    for (const value of row) hashValue(hash, value);
    hash.update('\n');
    rows += 1;
    if (rows % ROWS_PER_TURN === 0) {
      await new Promise(resolve => setImmediate(resolve));
      signal.throwIfAborted();
    }
  }
  return { rows, checksum: hash.digest('hex') };
}

/** Fingerprints every table of a SQLite database. */
export async function fingerprintSqliteDatabase(
  db: SqliteDatabase,
  signal: AbortSignal,
): Promise<Map<string, TableFingerprint>> {
  const fingerprints = new Map<string, TableFingerprint>();
  for (const table of listSqliteTables(db)) {
    signal.throwIfAborted();
    fingerprints.set(
      table.name,
      await fingerprintSqliteTable(db, table, signal),
    );
  }
  return fingerprints;
}
