/**
 * The part of better-sqlite3 the SQLite restore test uses, typed here
 * because the package ships no types of its own.
 */
export interface SqliteStatement {
  raw(toggle?: boolean): SqliteStatement;
  pluck(toggle?: boolean): SqliteStatement;
  safeIntegers(toggle?: boolean): SqliteStatement;
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): SqliteDatabase;
  backup(
    destination: string,
    options?: {
      progress?(info: { totalPages: number; remainingPages: number }): number;
    },
  ): Promise<{ totalPages: number; remainingPages: number }>;
  close(): void;
  readonly inTransaction: boolean;
  readonly open: boolean;
}

type SqliteConstructor = new (
  filename: string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => SqliteDatabase;

/* eslint-disable @typescript-eslint/no-require-imports */
const Database: SqliteConstructor = require('better-sqlite3');
const driverVersion: string = require('better-sqlite3/package.json').version;
/* eslint-enable @typescript-eslint/no-require-imports */

/** Opens a SQLite file with better-sqlite3. */
export function openSqlite(
  path: string,
  options: { readonly?: boolean; fileMustExist?: boolean } = {},
): SqliteDatabase {
  return new Database(path, options);
}

/** `better-sqlite3 12.x`: the driver's own version, for the report. */
export function sqliteDriverVersion(): string {
  return `better-sqlite3 ${driverVersion}`;
}
