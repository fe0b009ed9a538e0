import { runPostgresRestoreTest } from './postgresRestoreTest';
import { runSqliteRestoreTest } from './sqliteRestoreTest';
import type {
  RestoreTarget,
  RestoreTestHooks,
  RestoreTestReport,
} from './types';

/**
 * Runs the restore test of one target (PostgreSQL: pg_dump, pg_restore into
 * a scratch database; SQLite: the online backup API) and returns its report.
 * Never throws for a failed step or a mismatch: `report.ok` is false and
 * `report.error` / `report.mismatches` say why. `hooks` are for tests only.
 */
export function runRestoreTest(
  target: RestoreTarget,
  log: (line: string) => void,
  signal: AbortSignal,
  hooks?: RestoreTestHooks,
): Promise<RestoreTestReport> {
  return target.kind === 'postgres'
    ? runPostgresRestoreTest(target, log, signal, hooks)
    : runSqliteRestoreTest(target, log, signal, hooks);
}
