import { join } from 'node:path';
import { openSqlite } from '../sqliteDriver';

/**
 * Writes a SQLite file with a rowid table (with a big integer, reals and
 * blobs), a WITHOUT ROWID table, a table whose name needs quoting, an empty
 * table and 10,000 rows, in WAL mode as a busy embedded database would be.
 */
export function createSqliteSource(dir: string): string {
  const path = join(dir, 'source.sqlite');
  const db = openSqlite(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, avatar BLOB);
    INSERT INTO customers VALUES
      (1, 'Ada', 0.1, x'00ff10'),
      (2, 'Grace', -0.0, NULL),
      (3, 'Edsger''s "quote"', 1e300, x'');
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
    INSERT INTO settings VALUES ('b', '{"json": true}'), ('a', 'überall ☃');
    CREATE TABLE "odd ""name""" (n INTEGER);
    INSERT INTO "odd ""name""" VALUES (4611686018427387904), (NULL), (NULL);
    CREATE TABLE nothing_yet (id INTEGER PRIMARY KEY);
    CREATE TABLE big (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
      INSERT INTO big SELECT i, hex(randomblob(8)) FROM n;
  `);
  db.close();
  return path;
}
