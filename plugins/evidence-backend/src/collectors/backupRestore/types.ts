import type { SqliteDatabase } from './sqliteDriver';
/** How to reach a PostgreSQL database (the password never goes on a command line). */
export interface PostgresConnection {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** A PostgreSQL database whose dump is restored into a scratch database and compared. */
export interface PostgresRestoreTarget {
  kind: 'postgres';
  /** Names the evidence file (`backup-restore-<name>.json`) and the log lines. */
  name: string;
  connection: PostgresConnection;
  /**
   * Where the scratch database `ops_restore_<random>` is created; `database`
   * is the one to connect to for CREATE/DROP DATABASE. Default: the source's
   * server, through the source connection.
   */
  scratchConnection?: PostgresConnection;
  /**
   * A folder holding `pg_dump` and `pg_restore`. Default: the ones on PATH,
   * or under `/usr/lib/postgresql/<major>/bin`, whichever is not older than
   * the server.
   */
  binDir?: string;
  /** The catalog entity the evidence is about, e.g. `resource:default/orders-db`. */
  entityRef?: string;
}

/** A SQLite file (the embedded default), copied with SQLite's online backup API. */
export interface SqliteRestoreTarget {
  kind: 'sqlite';
  name: string;
  /** The database file; `:memory:` cannot be backed up from another connection. */
  path: string;
  entityRef?: string;
  /**
   * Lends an open connection instead of opening `path`: for a database only
   * its owner can reach, such as the backend's own embedded in-memory
   * database. It is released, not closed, at the end.
   */
  connect?: () => Promise<{ db: SqliteDatabase; release(): Promise<void> }>;
}

export type RestoreTarget = PostgresRestoreTarget | SqliteRestoreTarget;

/** Row count and order-independent checksum of one table. */
export interface TableFingerprint {
  rows: number;
  checksum: string;
}

export interface TableComparison {
  /** `schema.table` on PostgreSQL, the table name on SQLite. */
  table: string;
  source: TableFingerprint | null;
  restored: TableFingerprint | null;
}

export interface TableMismatch {
  table: string;
  /** rows/checksum differ, or the table exists on one side only. */
  kind: 'rows' | 'checksum' | 'missing-in-restore' | 'extra-in-restore';
  source?: TableFingerprint;
  restored?: TableFingerprint;
}

/** The steps of a restore test; a failed report names the one that failed. */
export type RestoreStep =
  | 'connect'
  | 'tools'
  | 'dump'
  | 'backup'
  | 'checksum-source'
  | 'create-scratch'
  | 'restore'
  | 'after-restore'
  | 'integrity-check'
  | 'checksum-restored'
  | 'compare'
  | 'cleanup';

/** The result of one restore test: the content of `backup-restore-<name>.json`. */
export interface RestoreTestReport {
  target: string;
  kind: RestoreTarget['kind'];
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  /** Set when a step failed (a mismatch is not a step failure: see `mismatches`). */
  error?: { step: RestoreStep; message: string };
  /** e.g. `{ pg_dump: 'pg_dump (PostgreSQL) 15.20', server: '15.20' }`. */
  tools: Record<string, string>;
  /** Milliseconds per step: dump or backup, restore, integrity check, compare, total. */
  durationsMs: Record<string, number>;
  /** Bytes: dump or backup file, source and restored database. */
  sizes: Record<string, number>;
  /** PostgreSQL: the scratch database and whether it was dropped. */
  scratchDatabase?: { name: string; dropped: boolean };
  /** SQLite: what `PRAGMA integrity_check` said about the copy. */
  integrityCheck?: string[];
  tables: TableComparison[];
  mismatches: TableMismatch[];
  summary: {
    tables: number;
    rows: number;
    mismatches: number;
    ok: boolean;
    durationMs: number;
  };
}

/** What a test hook is handed once the copy exists, before it is compared. */
export type RestoredCopy =
  | { kind: 'postgres'; connection: PostgresConnection }
  | { kind: 'sqlite'; path: string };

/**
 * Test-only hooks into a restore test. Production code passes none.
 */
export interface RestoreTestHooks {
  /** Runs after the restore, before the restored copy is fingerprinted. */
  afterRestore?(copy: RestoredCopy): Promise<void> | void;
  /** Told of every child process (pg_dump, pg_restore) right after it starts. */
  onChildProcess?(child: { tool: string; pid: number }): void;
}
