import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CollectorContext } from '@internal/plugin-evidence-node';
import {
  BackupRestoreFailedError,
  createBackupRestoreCollector,
} from './collector';
import { runRestoreTest } from './runRestoreTest';
import { openSqlite } from './sqliteDriver';
import { createSqliteSource } from './testing/sqlite';
import type { RestoreTestReport, SqliteRestoreTarget } from './types';

describe('createBackupRestoreCollector', () => {
  let dir: string;
  let portal: SqliteRestoreTarget;
  let lines: string[];

  function context(extra: Partial<CollectorContext> = {}): CollectorContext {
    return {
      log: line => lines.push(line),
      signal: new AbortController().signal,
      now: new Date('2026-12-03T10:00:00Z'),
      previous: async () => undefined,
      ...extra,
    };
  }

  beforeEach(async () => {
    lines = [];
    dir = await mkdtemp(join(tmpdir(), 'br-collector-'));
    portal = {
      kind: 'sqlite',
      name: 'portal',
      path: createSqliteSource(dir),
      entityRef: 'resource:default/portal-db',
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('describes itself with CC9.1, monthly', () => {
    const collector = createBackupRestoreCollector({ targets: [portal] });
    expect(collector).toMatchObject({
      id: 'backup-restore',
      points: ['CC9.1'],
      cadence: 'monthly',
      perEntity: true,
      timeoutMs: 30 * 60_000,
    });
    expect(
      createBackupRestoreCollector({ targets: [], availabilityCriteria: true })
        .points,
    ).toEqual(['CC9.1', 'A1.2']);
  });

  it('files one JSON report per passing target', async () => {
    const collector = createBackupRestoreCollector({
      targets: [portal],
      availabilityCriteria: true,
    });
    const evidence = await collector.collect(context());
    expect(evidence).toHaveLength(1);
    const [item] = evidence;
    expect(item).toMatchObject({
      type: 'backup-restore',
      title: 'Restore test of portal (sqlite)',
      points: ['CC9.1', 'A1.2'],
      entityRef: 'resource:default/portal-db',
      fileName: 'backup-restore-portal.json',
      mediaType: 'application/json',
      summary: { tables: 5, rows: 10008, mismatches: 0, ok: true },
    });
    const report: RestoreTestReport = JSON.parse(String(item.content));
    expect(report.ok).toBe(true);
    expect(report.tables).toHaveLength(5);
    expect(item.period.start.toISOString()).toBe(report.startedAt);
    expect(item.period.end.toISOString()).toBe(report.finishedAt);
    expect(lines).toContain('portal: restore test (sqlite) starts');
  });

  it('throws naming the failing target and table, keeping the passing evidence', async () => {
    const other: SqliteRestoreTarget = {
      kind: 'sqlite',
      name: 'tampered',
      path: portal.path,
    };
    const collector = createBackupRestoreCollector({
      targets: [portal, other],
      runTest: (target, log, signal) =>
        runRestoreTest(target, log, signal, {
          afterRestore(copy) {
            if (target.name !== 'tampered' || copy.kind !== 'sqlite') return;
            const db = openSqlite(copy.path);
            db.exec(`UPDATE customers SET name = 'Eve' WHERE id = 2`);
            db.close();
          },
        }),
    });

    const failure = await collector.collect(context()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BackupRestoreFailedError);
    const error = failure as BackupRestoreFailedError;
    expect(error.message).toBe(
      `Restore test failed: tampered: table customers checksum differs (source ${error.failed[0].mismatches[0].source?.checksum}, restored ${error.failed[0].mismatches[0].restored?.checksum})`,
    );
    expect(error.failed.map(report => report.target)).toEqual(['tampered']);
    expect(error.passed.map(item => item.fileName)).toEqual([
      'backup-restore-portal.json',
    ]);
    expect(lines.join('\n')).toContain('tampered: MISMATCH table customers');
    expect(lines[lines.length - 1]).toBe(error.message);
  });

  it('throws naming the step when a target cannot be tested', async () => {
    const collector = createBackupRestoreCollector({
      targets: [{ kind: 'sqlite', name: 'gone', path: join(dir, 'gone.db') }],
    });
    await expect(collector.collect(context())).rejects.toThrow(
      /^Restore test failed: gone: connect: /,
    );
  });

  it('tests only the entity asked for', async () => {
    const collector = createBackupRestoreCollector({
      targets: [portal, { kind: 'sqlite', name: 'other', path: portal.path }],
    });
    const evidence = await collector.collect(
      context({ entityRef: 'resource:default/portal-db' }),
    );
    expect(evidence.map(item => item.fileName)).toEqual([
      'backup-restore-portal.json',
    ]);
    await expect(
      collector.collect(context({ entityRef: 'resource:default/none' })),
    ).resolves.toEqual([]);
  });

  it('files nothing and says so when no target is configured', async () => {
    const collector = createBackupRestoreCollector({ targets: [] });
    await expect(collector.collect(context())).resolves.toEqual([]);
    expect(lines).toEqual([
      'no backup-restore targets configured (evidence.backupRestore.targets)',
    ]);
  });

  it('throws when the run is aborted', async () => {
    const controller = new AbortController();
    const collector = createBackupRestoreCollector({
      targets: [portal],
      runTest: (target, log, signal) =>
        runRestoreTest(target, log, signal, {
          afterRestore: () => controller.abort(new Error('timed out')),
        }),
    });
    await expect(
      collector.collect(context({ signal: controller.signal })),
    ).rejects.toThrow('timed out');
  });
});
