/**
 * Makes SQLite errors this Jest test file's errors; call it from a package's
 * `src/setupTests.ts` (backstage-cli runs that file before every test file).
 *
 * better-sqlite3 throws SQLite errors from its native addon, which a process
 * loads once. The addon keeps the SqliteError class it was handed by the
 * first `new Database()` (guarded by `addon.isInitialized`) and never takes
 * another. Jest runs each test file in its own realm (its own `Error`), but
 * every file a worker runs shares that one addon. So in any test file after
 * the first SQLite one in the same worker (the repository-wide run, a
 * package run in band), a failing SQLite statement rejects with an earlier
 * file's SqliteError: not `instanceof Error` here, and since SqliteError is
 * an ES5-style subclass it carries no error brand either, so
 * `expect(...).rejects.toThrow()` reports "Received function did not throw"
 * although the statement failed and its transaction rolled back. Production
 * has one realm and is not affected.
 *
 * This hands the addon the SqliteError of the calling file's module
 * registry. (better-sqlite3 13 makes SqliteError a real `class extends
 * Error`, which Jest recognises across realms.)
 */
export function useThisRealmForSqliteErrors(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const addon: {
    setErrorConstructor(constructor: unknown): void;
    isInitialized?: boolean;
  } = require('better-sqlite3/build/Release/better_sqlite3.node');
  addon.setErrorConstructor(require('better-sqlite3/lib/sqlite-error'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  addon.isInitialized = true;
}
