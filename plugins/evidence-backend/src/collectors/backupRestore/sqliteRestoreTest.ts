import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareFingerprints, describeMismatch } from './compare';
import { ReportBuilder, StepFailed } from './report';
import {
  openSqlite,
  sqliteDriverVersion,
  type SqliteDatabase,
} from './sqliteDriver';
import { fingerprintSqliteDatabase } from './sqliteFingerprints';
import type {
  RestoreTestHooks,
  RestoreTestReport,
  SqliteRestoreTarget,
  TableComparison,
  TableMismatch,
} from './types';

/**
 * A restore test of a SQLite file with SQLite's online backup API:
 *
 * 1. opens the source read-only and starts a read transaction, which pins
 *    one snapshot (in WAL mode writers go on; in rollback-journal mode they
 *    wait until the test has read the source);
 * 2. copies it with `backup()` to a private temp file: the copy is that
 *    snapshot, since the backup runs on the same connection;
 * 3. fingerprints every source table in the same snapshot;
 * 4. opens the copy, runs `PRAGMA integrity_check`, fingerprints and compares.
 *
 * The copy is deleted at the end whatever happened. Never throws: a failed
 * step is in the report's `error`.
 */
export async function runSqliteRestoreTest(
  target: SqliteRestoreTarget,
  log: (line: string) => void,
  signal: AbortSignal,
  hooks: RestoreTestHooks = {},
): Promise<RestoreTestReport> {
  const report = new ReportBuilder(target, log);
  let source: SqliteDatabase | undefined;
  let lease: { db: SqliteDatabase; release(): Promise<void> } | undefined;
  let copy: SqliteDatabase | undefined;
  let workDir: string | undefined;
  let tables: TableComparison[] = [];
  let mismatches: TableMismatch[] = [];

  try {
    const opened = await report.step('connect', async () => {
      signal.throwIfAborted();
      if (target.connect) lease = await target.connect();
      const db =
        lease?.db ??
        openSqlite(target.path, { readonly: true, fileMustExist: true });
      source = db;
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
      if (!lease) report.sizes.sourceFileBytes = (await stat(target.path)).size;
      return db;
    });
    report.tools.sqlite = String(
      opened.prepare('SELECT sqlite_version()').pluck().get(),
    );
    report.tools.driver = sqliteDriverVersion();

    const copyPath = await report.step(
      'backup',
      async () => {
        workDir = await mkdtemp(join(tmpdir(), 'ops-restore-'));
        const file = join(workDir, 'copy.sqlite');
        await opened.backup(file);
        report.sizes.backupBytes = (await stat(file)).size;
        return file;
      },
      'backup',
    );
    log(
      `${target.name}: SQLite ${report.tools.sqlite} backup of ${report.sizes.backupBytes} bytes`,
    );

    const sourceTables = await report.step(
      'checksum-source',
      () => fingerprintSqliteDatabase(opened, signal),
      'compare',
    );
    opened.exec('COMMIT');

    if (hooks.afterRestore) {
      await report.step('after-restore', async () =>
        hooks.afterRestore!({ kind: 'sqlite', path: copyPath }),
      );
    }

    const restored = await report.step(
      'integrity-check',
      async () => {
        signal.throwIfAborted();
        const db = openSqlite(copyPath, {
          readonly: true,
          fileMustExist: true,
        });
        copy = db;
        const problems = db
          .prepare('PRAGMA integrity_check')
          .pluck()
          .all()
          .map(String);
        report.integrityCheck = problems;
        if (problems.length !== 1 || problems[0] !== 'ok') {
          throw new Error(
            `integrity_check of the copy: ${problems.slice(0, 5).join('; ')}`,
          );
        }
        return db;
      },
      'integrityCheck',
    );

    const restoredTables = await report.step(
      'checksum-restored',
      () => fingerprintSqliteDatabase(restored, signal),
      'compare',
    );

    ({ tables, mismatches } = compareFingerprints(
      sourceTables,
      restoredTables,
    ));
    for (const mismatch of mismatches) {
      log(`${target.name}: MISMATCH ${describeMismatch(mismatch)}`);
    }
  } catch (error) {
    if (!(error instanceof StepFailed)) report.fail('compare', error);
  } finally {
    for (const db of [source, copy]) {
      try {
        if (db && db === source && lease) {
          if (db.inTransaction) db.exec('ROLLBACK');
          await lease.release();
        } else if (db?.open) db.close();
      } catch (error) {
        report.fail('cleanup', error);
      }
    }
    if (workDir) {
      try {
        await rm(workDir, { recursive: true, force: true });
      } catch (error) {
        report.fail('cleanup', error);
      }
    }
  }

  const done = report.finish(tables, mismatches);
  log(
    `${target.name}: ${done.ok ? 'passed' : 'FAILED'}: ${
      done.summary.tables
    } tables, ${done.summary.rows} rows, ${
      done.summary.mismatches
    } mismatches in ${done.summary.durationMs} ms`,
  );
  return done;
}
