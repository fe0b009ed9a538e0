/*
 * Runs before every test file of this package (backstage-cli picks up
 * src/setupTests.ts).
 *
 * better-sqlite3 throws SQLite errors from its native addon, which a process
 * loads once. The addon keeps the SqliteError class it was handed by the
 * first `new Database()` (guarded by `addon.isInitialized`) and never takes
 * another. Jest runs each test file in its own realm (its own `Error`), but
 * every file a worker runs shares that one addon. So in any test file after
 * the first SQLite one in the same worker (the repository-wide run, the
 * package run in band), a failing SQLite statement rejects with an earlier
 * file's SqliteError: not `instanceof Error` here, and since SqliteError is
 * an ES5-style subclass it carries no error brand either, so
 * `expect(...).rejects.toThrow()` reports "Received function did not throw"
 * although the statement failed and its transaction rolled back.
 *
 * Hand the addon this file's SqliteError, from the same module registry the
 * file's better-sqlite3 uses, so SQLite errors are this realm's errors.
 * (better-sqlite3 13 makes SqliteError a real `class extends Error`, which
 * Jest recognises across realms; `instanceof Error` would still differ.)
 */

type BetterSqlite3Addon = {
  setErrorConstructor(constructor: unknown): void;
  isInitialized?: boolean;
};

/* eslint-disable @typescript-eslint/no-require-imports */
const addon: BetterSqlite3Addon = require('better-sqlite3/build/Release/better_sqlite3.node');
addon.setErrorConstructor(require('better-sqlite3/lib/sqlite-error'));
/* eslint-enable @typescript-eslint/no-require-imports */
addon.isInitialized = true;
