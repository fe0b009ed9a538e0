import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { Knex } from 'knex';
import { compareFingerprints, describeMismatch } from './compare';
import { fingerprintDatabase } from './pgFingerprints';
import { connectionArgs, findPgTools, runPgTool } from './pgTools';
import { ReportBuilder, StepFailed } from './report';
import {
  SCRATCH_PREFIX,
  dropStaleScratchDatabases,
  scratchComment,
} from './scratchDatabases';
import type {
  PostgresConnection,
  PostgresRestoreTarget,
  RestoreTestHooks,
  RestoreTestReport,
  TableComparison,
  TableFingerprint,
  TableMismatch,
} from './types';

const quiet = () => undefined;

function openDb(connection: PostgresConnection): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      host: connection.host,
      port: connection.port,
      user: connection.user,
      password: connection.password,
      database: connection.database,
      application_name: 'evidence-backup-restore',
      connectionTimeoutMillis: 15_000,
    },
    pool: { min: 0, max: 2 },
    acquireConnectionTimeout: 20_000,
    // Failures reach the report; knex would also print them to the console.
    log: { warn: quiet, error: quiet, deprecate: quiet, debug: quiet },
  });
}

/** A SQL string literal (CREATE DATABASE takes no bind parameters). */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A read-only, repeatable-read transaction and its server process id. */
async function openSnapshot(
  db: Knex,
): Promise<{ trx: Knex.Transaction; pid: number }> {
  const trx = await db.transaction({
    isolationLevel: 'repeatable read',
    readOnly: true,
  });
  const result = await trx.raw<{ rows: Array<{ pid: number }> }>(
    'SELECT pg_backend_pid() AS pid',
  );
  return { trx, pid: result.rows[0].pid };
}

/**
 * Cancels the running statement of backend `pid` when `signal` aborts (a
 * checksum over a large table can run for minutes). Returns the unhook.
 */
function cancelOnAbort(admin: Knex, pid: number, signal: AbortSignal) {
  const cancel = () => {
    admin.raw('SELECT pg_cancel_backend(?)', [pid]).catch(() => undefined);
  };
  signal.addEventListener('abort', cancel, { once: true });
  return () => signal.removeEventListener('abort', cancel);
}

async function fingerprintIn(
  db: Knex,
  admin: Knex,
  signal: AbortSignal,
  snapshot?: { trx: Knex.Transaction; pid: number },
): Promise<Map<string, TableFingerprint>> {
  const { trx, pid } = snapshot ?? (await openSnapshot(db));
  const unhook = cancelOnAbort(admin, pid, signal);
  try {
    return await fingerprintDatabase(trx, signal);
  } finally {
    unhook();
    if (!snapshot) await trx.rollback();
  }
}

/**
 * A real restore test of one PostgreSQL database:
 *
 * 1. opens a read-only repeatable-read transaction on the source and exports
 *    its snapshot;
 * 2. dumps with `pg_dump -Fc --snapshot=<it>` to a private temp file, so the
 *    dump and the source checksums see exactly the same data however busy
 *    the database is (the transaction stays open for the dump and the
 *    checksums, which holds back vacuum on the source for that long);
 * 3. fingerprints every source table in that snapshot;
 * 4. creates `ops_restore_<random>` (template0, the source's encoding and
 *    locale, a comment with its creation time) on the source server or
 *    `scratchConnection`, after dropping scratch databases older than a day
 *    that a killed run left behind;
 * 5. restores with `pg_restore --no-owner --no-privileges --exit-on-error`;
 * 6. fingerprints the restored tables and compares.
 *
 * The scratch database is dropped (`WITH (FORCE)`) and the dump deleted at
 * the end whatever happened, also on abort; an abort kills pg_dump or
 * pg_restore and cancels a running checksum query. Never throws: a failed
 * step is in the report's `error`.
 */
export async function runPostgresRestoreTest(
  target: PostgresRestoreTarget,
  log: (line: string) => void,
  signal: AbortSignal,
  hooks: RestoreTestHooks = {},
): Promise<RestoreTestReport> {
  const report = new ReportBuilder(target, log);
  const sourceConnection = target.connection;
  const adminConnection = target.scratchConnection ?? sourceConnection;
  const source = openDb(sourceConnection);
  const admin = target.scratchConnection
    ? openDb(target.scratchConnection)
    : source;
  const scratchName = `${SCRATCH_PREFIX}${randomBytes(6).toString('hex')}`;
  const scratchConnection = { ...adminConnection, database: scratchName };
  let scratch: Knex | undefined;
  let snapshot: { trx: Knex.Transaction; pid: number } | undefined;
  let workDir: string | undefined;
  let createAttempted = false;
  let tables: TableComparison[] = [];
  let mismatches: TableMismatch[] = [];
  const onSpawn = (tool: string) => (pid: number) =>
    hooks.onChildProcess?.({ tool, pid });

  try {
    const server = await report.step(
      'connect',
      async () => {
        signal.throwIfAborted();
        const result = await source.raw<{
          rows: Array<{
            version: string;
            num: number;
            size: string;
            encoding: string;
            collate: string;
            ctype: string;
          }>;
        }>(
          `SELECT current_setting('server_version') AS version,
                current_setting('server_version_num')::int AS num,
                pg_database_size(d.oid)::text AS size,
                pg_encoding_to_char(d.encoding) AS encoding,
                d.datcollate AS collate, d.datctype AS ctype
           FROM pg_database d WHERE d.datname = current_database()`,
        );
        return result.rows[0];
      },
      'connect',
    );
    report.tools.server = server.version;
    report.sizes.sourceDatabaseBytes = Number(server.size);

    const tools = await report.step(
      'tools',
      () =>
        findPgTools({
          serverMajor: Math.floor(server.num / 10000),
          binDir: target.binDir,
          signal,
        }),
      'tools',
    );
    report.tools.pg_dump = tools.pgDump.version;
    report.tools.pg_restore = tools.pgRestore.version;
    log(
      `${target.name}: server ${server.version}; ${tools.pgDump.version} at ${tools.pgDump.path}`,
    );

    const dumpFile = await report.step(
      'dump',
      async () => {
        workDir = await mkdtemp(join(tmpdir(), 'ops-restore-'));
        const file = join(workDir, `${target.name.replace(/\W/g, '_')}.dump`);
        snapshot = await openSnapshot(source);
        const exported = await snapshot.trx.raw<{
          rows: Array<{ id: string }>;
        }>('SELECT pg_export_snapshot() AS id');
        await runPgTool(
          tools.pgDump.path,
          [
            ...connectionArgs(sourceConnection),
            '--format=custom',
            `--snapshot=${exported.rows[0].id}`,
            `--file=${file}`,
            `--dbname=${sourceConnection.database}`,
          ],
          {
            signal,
            password: sourceConnection.password,
            onSpawn: onSpawn('pg_dump'),
          },
        );
        report.sizes.dumpBytes = (await stat(file)).size;
        return file;
      },
      'dump',
    );
    log(`${target.name}: dumped ${report.sizes.dumpBytes} bytes`);

    const sourceTables = await report.step(
      'checksum-source',
      () => fingerprintIn(source, source, signal, snapshot),
      'compare',
    );
    await snapshot!.trx.rollback();
    snapshot = undefined;

    await report.step(
      'create-scratch',
      async () => {
        signal.throwIfAborted();
        try {
          const swept = await dropStaleScratchDatabases(admin, new Date());
          if (swept.length > 0) {
            log(
              `${
                target.name
              }: dropped scratch databases left by killed runs: ${swept.join(
                ', ',
              )}`,
            );
          }
        } catch (error) {
          log(
            `${target.name}: could not sweep old scratch databases: ${
              error instanceof Error ? error.message : error
            }`,
          );
        }
        createAttempted = true;
        await admin.raw(
          `CREATE DATABASE ?? TEMPLATE template0 ENCODING ${literal(
            server.encoding,
          )} LC_COLLATE ${literal(server.collate)} LC_CTYPE ${literal(
            server.ctype,
          )}`,
          [scratchName],
        );
        report.scratchDatabase = { name: scratchName, dropped: false };
        await admin.raw(
          `COMMENT ON DATABASE ?? IS ${literal(scratchComment(new Date()))}`,
          [scratchName],
        );
      },
      'createScratch',
    );

    await report.step(
      'restore',
      () =>
        runPgTool(
          tools.pgRestore.path,
          [
            ...connectionArgs(adminConnection),
            '--no-owner',
            '--no-privileges',
            '--no-subscriptions',
            '--exit-on-error',
            `--dbname=${scratchName}`,
            dumpFile,
          ],
          {
            signal,
            password: adminConnection.password,
            onSpawn: onSpawn('pg_restore'),
          },
        ),
      'restore',
    );
    log(`${target.name}: restored into ${scratchName}`);

    if (hooks.afterRestore) {
      await report.step('after-restore', async () =>
        hooks.afterRestore!({
          kind: 'postgres',
          connection: scratchConnection,
        }),
      );
    }

    scratch = openDb(scratchConnection);
    const restoredTables = await report.step(
      'checksum-restored',
      async () => {
        const result = await fingerprintIn(scratch!, admin, signal);
        const size = await admin.raw<{ rows: Array<{ size: string }> }>(
          'SELECT pg_database_size(?)::text AS size',
          [scratchName],
        );
        report.sizes.restoredDatabaseBytes = Number(size.rows[0].size);
        return result;
      },
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
    const started = Date.now();
    await cleanup();
    report.durationsMs.cleanup = Date.now() - started;
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

  async function cleanup() {
    const attempt = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        report.fail(
          'cleanup',
          new Error(
            `${what}: ${error instanceof Error ? error.message : error}`,
          ),
        );
      }
    };
    if (snapshot) {
      const open = snapshot;
      await attempt('closing the source snapshot', () => open.trx.rollback());
    }
    if (scratch)
      await attempt('closing the scratch pool', () => scratch!.destroy());
    if (report.scratchDatabase) {
      await attempt(`dropping ${scratchName}`, async () => {
        await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [
          scratchName,
        ]);
        report.scratchDatabase!.dropped = true;
      });
    } else if (createAttempted) {
      // CREATE DATABASE may have succeeded on the server although the call
      // failed (e.g. aborted while waiting for the answer): drop it anyway.
      await attempt(`dropping ${scratchName}`, () =>
        admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [scratchName]),
      );
    }
    if (admin !== source)
      await attempt('closing the scratch server pool', () => admin.destroy());
    await attempt('closing the source pool', () => source.destroy());
    if (workDir) {
      const dir = workDir;
      await attempt('deleting the dump', () =>
        rm(dir, { recursive: true, force: true }),
      );
    }
  }
}
