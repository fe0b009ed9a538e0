import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { runRestoreTest } from './runRestoreTest';
import { scratchComment } from './scratchDatabases';
import {
  TEST_POSTGRES_URL,
  connect,
  createSourceDatabase,
  databasesLike,
  dropDatabase,
  randomName,
  testConnection,
} from './testing/postgres';
import type {
  PostgresConnection,
  PostgresRestoreTarget,
  RestoreTestReport,
} from './types';

const describePostgres = TEST_POSTGRES_URL ? describe : describe.skip;

describePostgres(
  'PostgreSQL restore test (real pg_dump and pg_restore)',
  () => {
    jest.setTimeout(120_000);
    let admin: Knex;
    let source: { name: string; connection: PostgresConnection; db: Knex };
    let lines: string[];
    const log = (line: string) => lines.push(line);

    beforeAll(() => {
      admin = connect(testConnection());
    });
    afterAll(async () => {
      await admin.destroy();
    });
    beforeEach(async () => {
      lines = [];
      source = await createSourceDatabase(admin);
    });
    afterEach(async () => {
      await source.db.destroy();
      await dropDatabase(admin, source.name);
    });

    function target(
      extra: Partial<PostgresRestoreTarget> = {},
    ): PostgresRestoreTarget {
      return {
        kind: 'postgres',
        name: 'orders-db',
        connection: source.connection,
        ...extra,
      };
    }

    async function expectScratchGone(report: RestoreTestReport) {
      if (report.scratchDatabase) {
        expect(report.scratchDatabase.dropped).toBe(true);
        expect(await databasesLike(admin, report.scratchDatabase.name)).toEqual(
          [],
        );
      }
    }

    it('restores a dump into a scratch database with equal counts and checksums', async () => {
      const before = await databasesLike(admin, 'ops_restore_');
      const report = await runRestoreTest(
        target(),
        log,
        new AbortController().signal,
      );

      expect(report.error).toBeUndefined();
      expect(report.ok).toBe(true);
      expect(report.mismatches).toEqual([]);
      expect(report.tables.map(table => table.table)).toEqual([
        'audit.big',
        'public.customers',
        'public.docs',
        'public.events_log',
        'public.nothing_yet',
      ]);
      const rows = Object.fromEntries(
        report.tables.map(t => [t.table, t.restored?.rows]),
      );
      expect(rows).toEqual({
        'audit.big': 10000,
        'public.customers': 3,
        'public.docs': 3,
        'public.events_log': 3,
        'public.nothing_yet': 0,
      });
      for (const table of report.tables) {
        expect(table.restored).toEqual(table.source);
        expect(table.source?.checksum).toMatch(/^[0-9a-f]{32}$/);
      }
      expect(report.summary).toEqual({
        tables: 5,
        rows: 10009,
        mismatches: 0,
        ok: true,
        durationMs: report.durationsMs.total,
      });
      expect(report.tools.pg_dump).toMatch(/^pg_dump \(PostgreSQL\) 15\./);
      expect(report.tools.pg_restore).toMatch(
        /^pg_restore \(PostgreSQL\) 15\./,
      );
      expect(report.tools.server).toMatch(/^15\./);
      expect(report.sizes.dumpBytes).toBeGreaterThan(0);
      expect(report.sizes.restoredDatabaseBytes).toBeGreaterThan(0);
      expect(Object.keys(report.durationsMs).sort()).toEqual([
        'cleanup',
        'compare',
        'connect',
        'createScratch',
        'dump',
        'restore',
        'tools',
        'total',
      ]);
      expect(report.scratchDatabase?.name).toMatch(
        /^ops_restore_[0-9a-f]{12}$/,
      );
      await expectScratchGone(report);
      expect(await databasesLike(admin, 'ops_restore_')).toEqual(before);
      expect(lines.join('\n')).toContain('orders-db: passed');
    });

    it('gives different checksums for tables with different content', async () => {
      const report = await runRestoreTest(
        target(),
        log,
        new AbortController().signal,
      );
      const checksums = report.tables.map(t => t.source?.checksum);
      expect(new Set(checksums).size).toBe(checksums.length);
    });

    it('fails naming the table when the restored copy differs', async () => {
      const report = await runRestoreTest(
        target(),
        log,
        new AbortController().signal,
        {
          async afterRestore(copy) {
            if (copy.kind !== 'postgres') throw new Error('expected postgres');
            const restored = connect(copy.connection);
            try {
              await restored.raw(
                `UPDATE docs SET body = '{"a": 2}' WHERE id = 1`,
              );
              await restored.raw('DELETE FROM audit.big WHERE id = 5000');
            } finally {
              await restored.destroy();
            }
          },
        },
      );

      expect(report.ok).toBe(false);
      expect(report.error).toBeUndefined();
      expect(report.mismatches).toEqual([
        expect.objectContaining({
          table: 'audit.big',
          kind: 'rows',
          source: expect.objectContaining({ rows: 10000 }),
          restored: expect.objectContaining({ rows: 9999 }),
        }),
        expect.objectContaining({ table: 'public.docs', kind: 'checksum' }),
      ]);
      expect(report.summary).toMatchObject({ mismatches: 2, ok: false });
      expect(lines.join('\n')).toContain(
        'orders-db: MISMATCH table public.docs checksum differs',
      );
      await expectScratchGone(report);
    });

    it('compares the dump with the source as of the dump, whatever is written meanwhile', async () => {
      let write: Promise<unknown> | undefined;
      const report = await runRestoreTest(
        target(),
        log,
        new AbortController().signal,
        {
          onChildProcess({ tool }) {
            if (tool === 'pg_dump') {
              write = source.db.raw(
                `INSERT INTO customers (name) VALUES ('written during the dump')`,
              );
            }
          },
        },
      );
      await write;

      expect(report.ok).toBe(true);
      expect(
        report.tables.find(t => t.table === 'public.customers')?.source?.rows,
      ).toBe(3);
      const now = await source.db('customers').count({ n: '*' });
      expect(Number(now[0].n)).toBe(4);
    });

    it('creates the scratch database through scratchConnection when given', async () => {
      const report = await runRestoreTest(
        target({ scratchConnection: testConnection('test') }),
        log,
        new AbortController().signal,
      );
      expect(report.ok).toBe(true);
      expect(report.summary.rows).toBe(10009);
      await expectScratchGone(report);
    });

    it('reports a clear error when the server cannot be reached', async () => {
      const report = await runRestoreTest(
        target({
          name: 'unreachable',
          connection: { ...source.connection, port: 1 },
        }),
        log,
        new AbortController().signal,
      );
      expect(report.ok).toBe(false);
      expect(report.error?.step).toBe('connect');
      expect(report.error?.message).toMatch(/ECONNREFUSED/);
      expect(report.scratchDatabase).toBeUndefined();
      expect(report.tables).toEqual([]);
    });

    it('reports a clear error when pg_dump is missing', async () => {
      const empty = await mkdtemp(join(tmpdir(), 'no-pg-'));
      try {
        const report = await runRestoreTest(
          target({ binDir: empty }),
          log,
          new AbortController().signal,
        );
        expect(report.ok).toBe(false);
        expect(report.error).toEqual({
          step: 'tools',
          message: `pg_dump and pg_restore not found in ${empty}`,
        });
        expect(report.scratchDatabase).toBeUndefined();
      } finally {
        await rm(empty, { recursive: true });
      }
    });

    it('reports pg_dump failing with its own message and creates no scratch database', async () => {
      const role = randomName('br_role');
      await admin.raw('CREATE ROLE ?? LOGIN', [role]);
      const before = await databasesLike(admin, 'ops_restore_');
      try {
        const report = await runRestoreTest(
          target({ connection: { ...source.connection, user: role } }),
          log,
          new AbortController().signal,
        );
        expect(report.ok).toBe(false);
        expect(report.error?.step).toBe('dump');
        expect(report.error?.message).toMatch(
          /^pg_dump failed \(exit 1\): .*permission denied/,
        );
        expect(report.scratchDatabase).toBeUndefined();
        expect(await databasesLike(admin, 'ops_restore_')).toEqual(before);
        expect(lines.join('\n')).toContain(
          'orders-db: dump failed: pg_dump failed',
        );
      } finally {
        await admin.raw('DROP ROLE ??', [role]);
      }
    });

    it('kills pg_restore on abort and still drops the scratch database', async () => {
      const controller = new AbortController();
      const children: Array<{ tool: string; pid: number }> = [];
      const report = await runRestoreTest(target(), log, controller.signal, {
        onChildProcess(child) {
          children.push(child);
          if (child.tool === 'pg_restore') controller.abort();
        },
      });

      expect(report.ok).toBe(false);
      expect(report.error).toEqual({
        step: 'restore',
        message: 'pg_restore was stopped: the run was aborted',
      });
      const restore = children.find(child => child.tool === 'pg_restore');
      expect(restore).toBeDefined();
      expect(() => process.kill(restore!.pid, 0)).toThrow(
        expect.objectContaining({ code: 'ESRCH' }),
      );
      expect(report.scratchDatabase?.dropped).toBe(true);
      await expectScratchGone(report);
    });

    it('stops on abort after the restore and still drops the scratch database', async () => {
      const controller = new AbortController();
      const report = await runRestoreTest(target(), log, controller.signal, {
        afterRestore: () => controller.abort(),
      });
      expect(report.ok).toBe(false);
      expect(report.error?.step).toBe('checksum-restored');
      await expectScratchGone(report);
    });

    it('kills pg_dump on abort and leaves no scratch database', async () => {
      const controller = new AbortController();
      const before = await databasesLike(admin, 'ops_restore_');
      const report = await runRestoreTest(target(), log, controller.signal, {
        onChildProcess(child) {
          if (child.tool === 'pg_dump') controller.abort();
        },
      });
      expect(report.error).toEqual({
        step: 'dump',
        message: 'pg_dump was stopped: the run was aborted',
      });
      expect(report.scratchDatabase).toBeUndefined();
      expect(await databasesLike(admin, 'ops_restore_')).toEqual(before);
    });

    it('drops scratch databases a killed run left behind, and only those', async () => {
      const stale = randomName('ops_restore');
      const fresh = randomName('ops_restore');
      const foreign = randomName('ops_restore');
      await admin.raw('CREATE DATABASE ??', [stale]);
      await admin.raw('CREATE DATABASE ??', [fresh]);
      await admin.raw('CREATE DATABASE ??', [foreign]);
      try {
        await admin.raw(
          `COMMENT ON DATABASE ?? IS '${scratchComment(
            new Date(Date.now() - 2 * 86_400_000),
          )}'`,
          [stale],
        );
        await admin.raw(
          `COMMENT ON DATABASE ?? IS '${scratchComment(new Date())}'`,
          [fresh],
        );

        const report = await runRestoreTest(
          target(),
          log,
          new AbortController().signal,
        );

        expect(report.ok).toBe(true);
        expect(await databasesLike(admin, stale)).toEqual([]);
        expect(await databasesLike(admin, fresh)).toEqual([fresh]);
        expect(await databasesLike(admin, foreign)).toEqual([foreign]);
        expect(lines).toContain(
          `orders-db: dropped scratch databases left by killed runs: ${stale}`,
        );
      } finally {
        for (const name of [stale, fresh, foreign]) {
          await dropDatabase(admin, name);
        }
      }
    });
  },
);
