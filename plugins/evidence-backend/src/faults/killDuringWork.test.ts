/*
 * Fault: the evidence backend dies with SIGKILL in the middle of a
 * collection or of a binder build, and a fresh process takes over.
 *
 * Each test has a database of its own that every process shares (a
 * file-backed SQLite in a temp folder, and a PostgreSQL database created
 * for it and dropped after) and a LocalBlobStore folder. The backend is a
 * child process (./evidenceChild.ts) running the plugin's own services;
 * storage in the child is slowed or held at one step so the kill lands
 * where the test means it to (see the child).
 *
 * Mid-collection: a collector filing large items is killed four times: while
 * an item streams in, while its blob is written, between its blob and its
 * row, and between its row and the blob's lock. Then a fresh process runs
 * the plugin's start-up recovery, immediately and again an hour later (a
 * sweep, at start and every 15 minutes, takes only intents older than
 * INTENT_SWEEP_AGE_MS, an hour, so that it never takes another live
 * replica's filing for a dead one). Afterwards: every killed run
 * is failed ("the backend stopped during the run"), no blob intent is left,
 * every evidence row has its blob (present, its SHA-256, its size, locked),
 * every content-addressed blob in the folder has its row, and the audit
 * chain verifies with one filing event per row.
 *
 * Mid-binder: a binder over many files is killed once its row shows
 * progress. Then no row is ready, binders.open() refuses it (ConflictError),
 * and nothing is under its final key; the next process's buildPending()
 * builds it to ready, and it verifies (through the service and with
 * verifyBinder over the stored file against the public key).
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { COMMON_CRITERIA } from '@internal/plugin-evidence-common';
import { LocalBlobStore } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import knexFactory, { Knex } from 'knex';
import { ChildProcess, spawn } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { verifyBinder } from '../binders/verifyBinder';
import { migrateEvidence } from '../__testUtils__/evidenceTestServices';
import { publicKeyFingerprint } from '../config';
import { createEvidenceServices } from '../services';
import { INTENT_SWEEP_AGE_MS } from '../items/EvidenceService';
import type { ChildSpec } from './evidenceChild';

jest.setTimeout(120_000);

const PACKAGE = '@internal/plugin-evidence-backend';
const CHILD = resolvePackagePath(PACKAGE, 'src/faults/evidenceChild.ts');
const POSTGRES =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const KiB = 1024;
const MiB = 1024 * KiB;
const DAY = 86_400_000;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const sha256 = (data: Buffer) =>
  createHash('sha256').update(data).digest('hex');

type Kind = 'SQLITE_FILE' | 'POSTGRES_15';
const KINDS: Kind[] = [
  'SQLITE_FILE',
  ...(POSTGRES ? (['POSTGRES_15'] as const) : []),
];

interface SharedDatabase {
  config: Knex.Config;
  knex: Knex;
  drop(): Promise<void>;
}

/** A database of the test's own, that child processes open too. */
async function createDatabase(kind: Kind): Promise<SharedDatabase> {
  if (kind === 'SQLITE_FILE') {
    const dir = await mkdtemp(join(tmpdir(), 'evidence-kill-db-'));
    const config: Knex.Config = {
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'evidence.sqlite') },
      useNullAsDefault: true,
    };
    const knex = knexFactory(config);
    return {
      config,
      knex,
      async drop() {
        await knex.destroy();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `evidence_kill_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: POSTGRES });
  await admin.raw('CREATE DATABASE ??', [name]);
  const url = new URL(POSTGRES!);
  url.pathname = `/${name}`;
  const config: Knex.Config = {
    client: 'pg',
    connection: url.toString(),
    pool: { min: 0, max: 4 },
  };
  const knex = knexFactory(config);
  return {
    config,
    knex,
    async drop() {
      await knex.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    },
  };
}

interface Child {
  process: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | string | null>;
}

function spawnChild(spec: ChildSpec, env: Record<string, string> = {}): Child {
  const transform = require.resolve(
    '@backstage/cli-node/config/nodeTransform.cjs',
  );
  const child = spawn(process.execPath, ['--require', transform, CHILD], {
    cwd: resolvePackagePath(PACKAGE),
    env: { ...process.env, ...env, EVIDENCE_FAULT_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', c => stdout.push(c));
  child.stderr!.setEncoding('utf8').on('data', c => stderr.push(c));
  const exited = new Promise<number | string | null>(resolve =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return {
    process: child,
    out: () => stdout.join(''),
    err: () => stderr.join(''),
    exited,
  };
}

async function killHard(child: Child) {
  if (child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
  }
  return child.exited;
}

/** Polls `condition` until it holds; fails if the child ends first or time runs out. */
async function waitFor(
  label: string,
  child: Child,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (child.process.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `${label}: the child ended or the point never came (exit ${
          child.process.exitCode
        })\nstdout: ${child.out()}\nstderr: ${child.err()}`,
      );
    }
    await sleep(10);
  }
}

/** Runs a child to its end; answers its stdout. */
async function runToEnd(
  label: string,
  child: Child,
  timeoutMs = 60_000,
): Promise<string> {
  const code = await Promise.race([
    child.exited,
    sleep(timeoutMs).then(() => 'timeout'),
  ]);
  if (code !== 0) {
    await killHard(child);
    throw new Error(
      `${label}: ended with ${code}\nstdout: ${child.out()}\nstderr: ${child.err()}`,
    );
  }
  return child.out();
}

async function listFiles(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter(e => e.isFile())
    .map(e => relative(root, join(e.parentPath, e.name)))
    .sort();
}

const count = async (
  knex: Knex,
  table: string,
  where: Record<string, unknown> = {},
) => Number((await knex(table).where(where).count({ n: '*' }))[0].n);

/** The services of the test process itself, over the same database and folder. */
function parentServices(knex: Knex, folder: string, signingKeyPem: string) {
  const privateKey = createPrivateKey(signingKeyPem);
  const blobs = new LocalBlobStore(folder);
  const services = createEvidenceServices({
    db: knex,
    blobs,
    auditKeyring: testAuditKeyring(),
    criteria: COMMON_CRITERIA,
    retentionYears: 7,
    binderKeys: {
      privateKey,
      publicKeyPem: createPublicKey(privateKey)
        .export({ type: 'spki', format: 'pem' })
        .toString(),
      fingerprint: publicKeyFingerprint(privateKey),
    },
    collectors: [],
    logger: mockServices.logger.mock(),
  });
  return { ...services, blobs };
}

describe.each(KINDS)('SIGKILL of the evidence backend on %s', kind => {
  const cleanups: Array<() => Promise<unknown>> = [];
  const children: Child[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map(killHard));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const db = await createDatabase(kind);
    cleanups.push(() => db.drop());
    await migrateEvidence(db.knex);
    const folder = await mkdtemp(join(tmpdir(), 'evidence-kill-blobs-'));
    const spoolTmp = await mkdtemp(join(tmpdir(), 'evidence-kill-tmp-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    cleanups.push(() => rm(spoolTmp, { recursive: true, force: true }));
    const signingKeyPem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const base = { database: db.config, folder, signingKeyPem };
    const start = (
      spec: Omit<ChildSpec, 'database' | 'folder' | 'signingKeyPem'>,
    ) => {
      // Spooled content goes to the child's temp folder: a private one.
      const child = spawnChild({ ...base, ...spec }, { TMPDIR: spoolTmp });
      children.push(child);
      return child;
    };
    return { knex: db.knex, folder, spoolTmp, signingKeyPem, start };
  }

  it('mid-collection: no row without its blob, no blob without its row, the runs failed', async () => {
    const begun = Date.now();
    const timeline: string[] = [];
    const mark = (what: string) =>
      timeline.push(`${((Date.now() - begun) / 1000).toFixed(2)}s ${what}`);
    const { knex, folder, spoolTmp, signingKeyPem, start } = await setUp();
    const collect = (
      salt: string,
      over: Partial<NonNullable<ChildSpec['collect']>> = {},
    ) => ({
      items: 3,
      itemBytes: 4 * MiB,
      chunkBytes: 64 * KiB,
      chunkDelayMs: 10,
      salt: `${salt}-${randomBytes(4).toString('hex')}`,
      ...over,
    });
    const intents = () => count(knex, 'evidence_blob_intents');
    const rowsOf = (key: string) =>
      count(knex, 'evidence_items', { blob_key: key });
    const storedKey = (out: string, marker: string) =>
      out.match(new RegExp(`^${marker} (\\S+)$`, 'm'))?.[1];

    // 1. While the second item streams in (the first is filed).
    const one = start({ mode: 'collect', collect: collect('stream') });
    await waitFor('kill 1', one, () => one.out().includes('STREAMING 1'));
    await killHard(one);
    expect(await count(knex, 'evidence_items')).toBe(1);
    mark(`kill 1 (streaming): items 1, intents ${await intents()}`);

    // 2. While a blob is written (its intent committed, the blob not there yet).
    const two = start({
      mode: 'collect',
      collect: collect('write', { itemBytes: 2 * MiB, chunkDelayMs: 0 }),
      storage: { writeDelayMs: 30 },
    });
    await waitFor(
      'kill 2',
      two,
      async () => two.out().includes('WRITING') && (await intents()) === 1,
    );
    await killHard(two);
    expect(await intents()).toBe(1);
    expect(two.out()).not.toContain('STORED');
    mark(`kill 2 (writing the blob): intents ${await intents()}`);

    // 3. Between a stored blob and its row.
    const three = start({
      mode: 'collect',
      collect: collect('norow', { itemBytes: 256 * KiB, chunkDelayMs: 0 }),
      storage: { pauseAfterPutMs: 120_000 },
    });
    await waitFor('kill 3', three, () =>
      Boolean(storedKey(three.out(), 'STORED')),
    );
    await killHard(three);
    const orphan = storedKey(three.out(), 'STORED')!;
    expect(existsSync(join(folder, orphan))).toBe(true);
    expect(await rowsOf(orphan)).toBe(0);
    expect(
      await count(knex, 'evidence_blob_intents', { blob_key: orphan }),
    ).toBe(1);
    mark(`kill 3 (blob stored, no row): ${orphan}`);

    // 4. Between a committed row and the lock on its blob.
    const four = start({
      mode: 'collect',
      collect: collect('nolock', { itemBytes: 256 * KiB, chunkDelayMs: 0 }),
      storage: { pauseBeforeRetainMs: 120_000 },
    });
    await waitFor('kill 4', four, () =>
      Boolean(storedKey(four.out(), 'RETAINING')),
    );
    await killHard(four);
    const unlocked = storedKey(four.out(), 'RETAINING')!;
    expect(await rowsOf(unlocked)).toBe(1);
    expect(
      await count(knex, 'evidence_blob_intents', { blob_key: unlocked }),
    ).toBe(1);
    expect(
      (await new LocalBlobStore(folder).head(unlocked))?.retainUntil,
    ).toBeUndefined();
    mark(`kill 4 (row committed, blob not locked): ${unlocked}`);

    expect(
      await count(knex, 'evidence_collector_runs', { state: 'running' }),
    ).toBe(4);

    // A restart at once, as plugin.ts does it: the runs are failed; intents
    // younger than an hour are left for a live replica to finish.
    const now = start({ mode: 'recover' });
    const nowOut = await runToEnd('recovery at once', now);
    const atOnce = JSON.parse(nowOut.match(/^RECOVERED (.*)$/m)![1]);
    expect(atOnce.failed).toBe(4);
    const leftAtOnce = await intents();
    mark(
      `restart at once: ${JSON.stringify(atOnce)}, intents left ${leftAtOnce}`,
    );

    // The sweep an hour later takes them.
    const later = start({
      mode: 'recover',
      clockOffsetMs: INTENT_SWEEP_AGE_MS + 1_000,
    });
    const laterOut = await runToEnd('recovery an hour later', later);
    const anHourLater = JSON.parse(laterOut.match(/^RECOVERED (.*)$/m)![1]);
    expect(anHourLater).toEqual({ failed: 0, swept: 2 });
    mark(`sweep an hour later: ${JSON.stringify(anHourLater)}`);

    // The runs: failed, saying why.
    const runs: Array<{
      state: string;
      error: string | null;
      finished_at: unknown;
    }> = await knex('evidence_collector_runs').select();
    expect(runs).toHaveLength(4);
    for (const run of runs) {
      expect(run).toMatchObject({
        state: 'failed',
        error: 'the backend stopped during the run',
      });
      expect(run.finished_at).not.toBeNull();
    }

    // No intent left; every row has its blob, whole and locked.
    expect(await intents()).toBe(0);
    const { blobs, audit } = parentServices(knex, folder, signingKeyPem);
    const rows: Array<{
      id: string;
      blob_key: string;
      sha256: string;
      size_bytes: number | string;
      retain_until: unknown;
    }> = await knex('evidence_items').select(
      'id',
      'blob_key',
      'sha256',
      'size_bytes',
      'retain_until',
    );
    expect(rows).toHaveLength(2);
    expect(rows.map(r => r.blob_key)).toContain(unlocked);
    for (const row of rows) {
      const head = await blobs.head(row.blob_key);
      expect(head).toBeDefined();
      expect(head!.sizeBytes).toBe(Number(row.size_bytes));
      expect(sha256(await readFile(join(folder, row.blob_key)))).toBe(
        row.sha256,
      );
      expect(head!.retainUntil).toBeDefined();
      expect(head!.retainUntil!.getTime()).toBeGreaterThanOrEqual(
        new Date(row.retain_until as string).getTime() - 1_000,
      );
    }

    // Every content-addressed blob has its row; the orphan is gone.
    const files = await listFiles(folder);
    const addressed = files.filter(f =>
      /^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(f),
    );
    expect(addressed.sort()).toEqual(rows.map(r => r.blob_key).sort());
    expect(existsSync(join(folder, orphan))).toBe(false);

    // The chain verifies, with one filing event per row.
    expect((await audit.verify()).ok).toBe(true);
    for (const row of rows) {
      const filed = (await audit.forRecord(row.id)).filter(
        e => e.type === 'evidence.filed',
      );
      expect(filed).toHaveLength(1);
    }

    const leftovers = {
      tempBlobs: files.filter(f => f.endsWith('.tmp')),
      spoolFolders: (await readdir(spoolTmp)).filter(f =>
        f.startsWith('evidence-'),
      ),
    };
    // eslint-disable-next-line no-console
    console.log(
      [
        `mid-collection on ${kind}:`,
        ...timeline,
        `rows ${rows.length}, content-addressed blobs ${addressed.length}`,
        `left by the kills and not cleaned by any recovery: ${JSON.stringify(
          leftovers,
        )}`,
      ].join('\n'),
    );
  });

  it('mid-binder: no half binder offered, and the next process builds it to a binder that verifies', async () => {
    const begun = Date.now();
    const timeline: string[] = [];
    const mark = (what: string) =>
      timeline.push(`${((Date.now() - begun) / 1000).toFixed(2)}s ${what}`);
    const { knex, folder, signingKeyPem, start } = await setUp();
    const services = parentServices(knex, folder, signingKeyPem);

    const FILES = 24;
    const periodEnd = new Date();
    for (let i = 0; i < FILES; i++) {
      const content = Buffer.alloc(512 * KiB);
      for (let at = 0; at < content.length; at += 32) {
        createHash('sha256')
          .update(`binder:${i}:${at}`)
          .digest()
          .copy(content, at);
      }
      await services.evidence.file({
        type: 'manual',
        title: `Policy ${i}`,
        points: ['CC1.1'],
        cadence: 'yearly',
        collector: null,
        runId: null,
        entityRef: null,
        periodStart: new Date(periodEnd.getTime() - 30 * DAY),
        periodEnd,
        filedBy: 'user:default/compliance',
        fileName: `policy-${i}.bin`,
        mediaType: 'application/octet-stream',
        content,
      });
    }
    const binder = await services.binders.request({
      periodStart: new Date(periodEnd.getTime() - 60 * DAY),
      periodEnd: new Date(periodEnd.getTime() + DAY),
      points: ['CC1.1'],
      createdBy: 'user:default/auditor',
    });
    mark(`${FILES} files of 512 KiB filed, binder ${binder.id} queued`);

    const row = () => knex('evidence_binders').where({ id: binder.id }).first();
    const finalKey = `binders/${binder.id}.tar.gz`;

    const builder = start({ mode: 'build', storage: { readDelayMs: 8 } });
    await waitFor('kill during the build', builder, async () => {
      const r = await row();
      return (
        r.state === 'building' &&
        Number(r.files_done) > 0 &&
        Number(r.files_done) < Number(r.files_total)
      );
    });
    await killHard(builder);
    const killed = await row();
    mark(
      `killed while building: ${killed.files_done}/${killed.files_total} files, ${killed.bytes_done}/${killed.bytes_total} bytes`,
    );

    // Not offered: not ready, refused, nothing under the final key.
    expect(killed).toMatchObject({
      state: 'building',
      blob_key: null,
      sha256: null,
    });
    expect(await count(knex, 'evidence_binders', { state: 'ready' })).toBe(0);
    await expect(services.binders.open(binder.id)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    await expect(services.binders.verify(binder.id)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    expect(existsSync(join(folder, finalKey))).toBe(false);
    expect(await services.blobs.head(finalKey)).toBeUndefined();
    const partials = (await listFiles(folder)).filter(f =>
      f.startsWith(`binders/${binder.id}.tar.gz.`),
    );
    mark(`after the kill: partial temp files ${JSON.stringify(partials)}`);

    // The next process: start-up recovery, then the builder's turn.
    const next = start({ mode: 'recover', buildAfterRecovery: true });
    const out = await runToEnd('the next process', next);
    expect(out).toMatch(/^BUILT 1$/m);
    const built = await row();
    expect(built).toMatchObject({
      state: 'ready',
      blob_key: finalKey,
      error: null,
    });
    expect(Number(built.files_done)).toBe(FILES);
    mark(`rebuilt: ${built.size_bytes} bytes`);

    const bytes = await readFile(join(folder, finalKey));
    expect(sha256(bytes)).toBe(built.sha256);
    expect(bytes.length).toBe(Number(built.size_bytes));
    const verification = await services.binders.verify(binder.id);
    expect(verification).toMatchObject({
      ok: true,
      signatureValid: true,
      mismatched: [],
      missing: [],
      extra: [],
      errors: [],
    });
    expect(verification.fileCount).toBeGreaterThanOrEqual(FILES);
    const publicKeyPem = createPublicKey(signingKeyPem)
      .export({ type: 'spki', format: 'pem' })
      .toString();
    expect(
      (
        await verifyBinder(createReadStream(join(folder, finalKey)), {
          publicKeyPem,
        })
      ).ok,
    ).toBe(true);

    const leftover = (await listFiles(folder)).filter(
      f => f.startsWith('binders/') && f !== finalKey,
    );
    // eslint-disable-next-line no-console
    console.log(
      [
        `mid-binder on ${kind}:`,
        ...timeline,
        `left under binders/ besides the binder: ${JSON.stringify(leftover)}`,
      ].join('\n'),
    );
  });
});
