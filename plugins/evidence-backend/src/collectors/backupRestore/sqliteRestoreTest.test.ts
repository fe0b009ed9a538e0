import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRestoreTest } from './runRestoreTest';
import { openSqlite } from './sqliteDriver';
import { createSqliteSource } from './testing/sqlite';
import type { RestoredCopy, SqliteRestoreTarget } from './types';

describe('SQLite restore test (online backup API)', () => {
  let dir: string;
  let target: SqliteRestoreTarget;
  let lines: string[];
  const log = (line: string) => lines.push(line);

  beforeEach(async () => {
    lines = [];
    dir = await mkdtemp(join(tmpdir(), 'br-sqlite-'));
    target = { kind: 'sqlite', name: 'portal', path: createSqliteSource(dir) };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function copiesLeft(): Promise<string[]> {
    return (await readdir(tmpdir())).filter(name =>
      name.startsWith('ops-restore-'),
    );
  }

  function tamper(sql: string) {
    return (copy: RestoredCopy) => {
      if (copy.kind !== 'sqlite') throw new Error('expected sqlite');
      const db = openSqlite(copy.path);
      db.exec(sql);
      db.close();
    };
  }

  it('backs up, checks integrity and finds equal counts and checksums', async () => {
    const report = await runRestoreTest(
      target,
      log,
      new AbortController().signal,
    );
    expect(report.error).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.integrityCheck).toEqual(['ok']);
    expect(report.tables.map(t => [t.table, t.restored?.rows])).toEqual([
      ['big', 10000],
      ['customers', 3],
      ['nothing_yet', 0],
      ['odd "name"', 3],
      ['settings', 2],
    ]);
    for (const table of report.tables) {
      expect(table.restored).toEqual(table.source);
      expect(table.source?.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(report.summary).toMatchObject({
      tables: 5,
      rows: 10008,
      mismatches: 0,
      ok: true,
    });
    expect(report.tools.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(report.tools.driver).toMatch(/^better-sqlite3 \d+\./);
    expect(report.sizes.backupBytes).toBeGreaterThan(0);
    expect(Object.keys(report.durationsMs).sort()).toEqual([
      'backup',
      'compare',
      'integrityCheck',
      'total',
    ]);
    expect(lines.join('\n')).toContain('portal: passed');
  });

  it('deletes its copy afterwards', async () => {
    const before = await copiesLeft();
    await runRestoreTest(target, log, new AbortController().signal);
    expect(await copiesLeft()).toEqual(before);
  });

  it('fails naming the table when a value of the copy differs', async () => {
    const report = await runRestoreTest(
      target,
      log,
      new AbortController().signal,
      {
        afterRestore: tamper(`UPDATE settings SET value = 'x' WHERE key = 'a'`),
      },
    );
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual([
      expect.objectContaining({ table: 'settings', kind: 'checksum' }),
    ]);
    expect(lines.join('\n')).toContain(
      'portal: MISMATCH table settings checksum differs',
    );
  });

  it('notices a NULL that became a value', async () => {
    const report = await runRestoreTest(
      target,
      log,
      new AbortController().signal,
      {
        afterRestore: tamper(
          `UPDATE "odd ""name""" SET n = 1 WHERE n IS NULL AND rowid = 2`,
        ),
      },
    );
    expect(report.mismatches.map(m => [m.table, m.kind])).toEqual([
      ['odd "name"', 'checksum'],
    ]);
  });

  it('fails on missing rows and dropped tables', async () => {
    const report = await runRestoreTest(
      target,
      log,
      new AbortController().signal,
      {
        afterRestore: tamper(
          'DELETE FROM big WHERE id = 77; DROP TABLE nothing_yet;',
        ),
      },
    );
    expect(report.mismatches.map(m => [m.table, m.kind])).toEqual([
      ['big', 'rows'],
      ['nothing_yet', 'missing-in-restore'],
    ]);
  });

  it('fails the integrity check of a damaged copy', async () => {
    const report = await runRestoreTest(
      target,
      log,
      new AbortController().signal,
      {
        async afterRestore(copy) {
          if (copy.kind !== 'sqlite') return;
          const file = await open(copy.path, 'r+');
          try {
            // Overwrite the middle of the file (pages of table `big`).
            const { size } = await file.stat();
            await file.write(
              Buffer.alloc(8192, 0xa5),
              0,
              8192,
              Math.floor(size / 2),
            );
          } finally {
            await file.close();
          }
        },
      },
    );
    expect(report.ok).toBe(false);
    expect(report.error?.step).toBe('integrity-check');
    expect(report.error?.message).toMatch(/malformed|integrity_check/);
  });

  it('reports a missing source file clearly', async () => {
    const report = await runRestoreTest(
      { ...target, path: join(dir, 'nope.sqlite') },
      log,
      new AbortController().signal,
    );
    expect(report.ok).toBe(false);
    expect(report.error?.step).toBe('connect');
    expect(report.error?.message).toMatch(/nope\.sqlite|unable to open/);
  });

  it('copies the snapshot it reads, while another connection writes', async () => {
    const writer = openSqlite(target.path);
    try {
      const report = await runRestoreTest(
        target,
        log,
        new AbortController().signal,
        {
          afterRestore() {
            writer.exec(`INSERT INTO customers (name) VALUES ('late')`);
          },
        },
      );
      expect(report.ok).toBe(true);
      expect(
        report.tables.find(t => t.table === 'customers')?.source?.rows,
      ).toBe(3);
    } finally {
      writer.close();
    }
  });

  it('stops on abort and deletes the copy', async () => {
    const before = await copiesLeft();
    const controller = new AbortController();
    const report = await runRestoreTest(target, log, controller.signal, {
      afterRestore: () => controller.abort(),
    });
    expect(report.ok).toBe(false);
    expect(report.error?.step).toBe('integrity-check');
    expect(await copiesLeft()).toEqual(before);
  });
});
