/*
 * Latency of GET /api/privacy/status/:id, the route a requester's portal
 * polls: N stored requests (inserted in bulk), the real plugin in a backend
 * (startTestBackend: the real router, store and database, mock auth and
 * permissions), a load generator in a child process at a fixed rate over
 * random ids (statusLoad.ts: paced open loop, or autocannon).
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readPrivacyConfig } from '../../plugins/privacy-backend/src/config';
import {
  createFreshDatabase,
  migrate,
  privacyConfigData,
  subjectEmail,
  subjectId,
} from '../../plugins/privacy-backend/src/testing/harness';
import { createIdentifierProtection } from '../../plugins/privacy-backend/src/identifiers';
import { privacyPlugin } from '../../plugins/privacy-backend/src/plugin';
import { seconds } from './util';

export interface StatusOptions {
  rows: number;
  rate: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** `paced` (constant-rate open loop, the default) or `autocannon` (bursts each second); see statusLoad.ts. */
  load: 'paced' | 'autocannon';
  name: string;
}

export interface StatusResult {
  rows: number;
  rate: number;
  load: StatusOptions['load'];
  durationSeconds: number;
  requests: number;
  achievedRate: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  average: number;
  /** The same load against a bare HTTP server: what the machine itself adds. */
  baseline: { p50: number; p90: number; p99: number; max: number };
  /** CPU of the backend process (this one) during warm-up and measured run, share of one core. */
  backendCpuShare: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The state mix of a portal in steady state: mostly finished requests. */
function stateOf(i: number): string {
  const r = i % 100;
  if (r < 90) return 'completed';
  if (r < 93) return 'queued';
  if (r < 95) return 'running';
  if (r < 97) return 'awaiting_approval';
  if (r < 98) return 'failed';
  if (r < 99) return 'dead_lettered';
  return 'canceled';
}

export async function runStatusBench(
  options: StatusOptions,
  log: (line: string) => void,
): Promise<StatusResult> {
  const db = await createFreshDatabase(options.name, { min: 0, max: 10 });
  const dir = mkdtempSync(join(tmpdir(), 'privacy-bench-status-'));
  let stopBackend: (() => Promise<void>) | undefined;
  try {
    // --- the stored requests --------------------------------------------
    let t = performance.now();
    await migrate(db.knex);
    const privacy = privacyConfigData({
      storageDirectory: join(dir, 'EU'),
      sources: [],
    });
    const identifiers = createIdentifierProtection(
      readPrivacyConfig(new ConfigReader({ privacy })),
    );
    const ids: string[] = [];
    const now = Date.now();
    const CHUNK = 1000;
    for (let start = 0; start < options.rows; start += CHUNK) {
      const batch = [];
      for (let i = start; i < Math.min(options.rows, start + CHUNK); i++) {
        const id = randomUUID();
        ids.push(id);
        const state = stateOf(i);
        const type = i % 4 === 0 ? 'delete' : 'export';
        const created = new Date(now - ((i * 7919) % (30 * DAY_MS)));
        batch.push({
          id,
          type,
          state,
          subject_hash: identifiers.hash(subjectId(i)),
          subject_enc: identifiers.encrypt(subjectId(i)),
          email_enc: identifiers.encrypt(subjectEmail(i)),
          region: 'EU',
          jurisdiction: 'GDPR',
          priority: 5,
          requester: 'user:default/bench',
          approved_by: type === 'delete' ? 'user:default/approver' : null,
          idempotency_key: null,
          created_at: created,
          updated_at: created,
          completed_at:
            state === 'completed' ? new Date(created.getTime() + 60_000) : null,
          sla_due_at: new Date(created.getTime() + DAY_MS),
          legal_due_at: new Date(created.getTime() + 30 * DAY_MS),
          extension_reason: null,
          attempts: state === 'queued' ? 0 : 1,
          last_error: state === 'failed' ? 'source timed out' : null,
          demo: false,
        });
      }
      await db.knex('privacy_requests').insert(batch);
    }
    // Three source results per started request, an export per finished one.
    await db.knex.raw(`
      INSERT INTO privacy_source_results
        (request_id, source, connection, status, records, remaining, error, finished_at)
      SELECT r.id, 'resource:default/source-' || s || '-db', 'source-' || s,
             CASE WHEN r.state = 'failed' AND s = 3 THEN 'failed' ELSE 'done' END,
             17, CASE WHEN r.type = 'delete' THEN 0 END, NULL,
             r.updated_at + interval '1 minute'
      FROM privacy_requests r, generate_series(1, 3) s
      WHERE r.state NOT IN ('queued', 'awaiting_approval', 'canceled')`);
    await db.knex.raw(`
      INSERT INTO privacy_exports
        (id, request_id, location, sha256, size_bytes, key_id, created_at, expires_at)
      SELECT gen_random_uuid()::text, r.id,
             'file:///var/lib/privacy/EU/exports/' || r.id || '.zip.enc',
             md5(r.id) || md5(r.id || '.'), 4096 + length(r.id), 'eu-1',
             r.completed_at, r.completed_at + interval '7 days'
      FROM privacy_requests r
      WHERE r.state = 'completed' AND r.type = 'export'`);
    // Steady state: no autovacuum of the fresh rows during the measurement.
    await db.knex.raw('VACUUM ANALYZE');
    // Flush the bulk load's WAL now, not as a checkpoint during the measurement.
    await db.knex.raw('CHECKPOINT');
    const counted = await db.knex.raw(`
      SELECT (SELECT count(*) FROM privacy_requests) AS requests,
             (SELECT count(*) FROM privacy_source_results) AS sources,
             (SELECT count(*) FROM privacy_exports) AS exports`);
    const c = counted.rows[0];
    log(
      `set-up: ${c.requests} requests, ${c.sources} source results, ${
        c.exports
      } exports inserted in ${seconds(performance.now() - t)} s`,
    );

    // --- the backend ---------------------------------------------------
    t = performance.now();
    const backend = await startTestBackend({
      features: [
        privacyPlugin,
        mockServices.database.factory({ knex: db.knex }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            ops: {
              queue: { driver: 'memory', workers: false },
              storage: { directory: join(dir, 'blobs') },
            },
            privacy,
          },
        }),
      ],
    });
    stopBackend = () => backend.stop();
    const { port } = backend.server.address() as AddressInfo;
    const origin = `http://127.0.0.1:${port}`;
    const probe = await fetch(`${origin}/api/privacy/status/${ids[0]}`);
    const probeBody = await probe.json();
    if (probe.status !== 200 || probeBody.id !== ids[0]) {
      throw new Error(
        `status route answered ${probe.status} ${JSON.stringify(probeBody)}`,
      );
    }
    log(`backend on ${origin} in ${seconds(performance.now() - t)} s`);

    // --- the load --------------------------------------------------------
    const idsFile = join(dir, 'ids.json');
    writeFileSync(idsFile, JSON.stringify(ids));
    log(
      `${options.load} load: ${options.rate} req/s, ${options.connections} connections, ${options.warmupSeconds} s warm-up, then ${options.durationSeconds} s measured`,
    );
    const cpuBefore = process.cpuUsage();
    const loadStarted = performance.now();
    // How long the backend's event loop was held up (GC, synchronous work).
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const result = await runLoad(origin, idsFile, options, false);
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    log(
      `backend event loop delay: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(
        1,
      )} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(
        loopDelay.max / 1e6
      ).toFixed(1)} ms`,
    );
    // Requests autocannon abandoned at the end may still be running here.
    await new Promise(r => setTimeout(r, 1000));
    const backendCpuShare =
      (cpu.user + cpu.system) / 1000 / (performance.now() - loadStarted - 1000);
    const { latency } = result;

    // The floor of this machine: the same load against a bare Node HTTP
    // server in this process that answers {} at once.
    const bare = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{}');
    });
    await new Promise<void>(r => bare.listen(0, '127.0.0.1', r));
    log('baseline: the same load against a bare Node HTTP server');
    const baseline = await runLoad(
      `http://127.0.0.1:${(bare.address() as AddressInfo).port}`,
      idsFile,
      options,
      true,
    );
    await new Promise(r => bare.close(r));

    return {
      baseline: {
        p50: baseline.latency.p50,
        p90: baseline.latency.p90,
        p99: baseline.latency.p99,
        max: baseline.latency.max,
      },
      rows: options.rows,
      rate: options.rate,
      load: options.load,
      durationSeconds: options.durationSeconds,
      requests: result.requests.total,
      achievedRate: result.requests.total / result.duration,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      p50: latency.p50,
      p90: latency.p90,
      p99: latency.p99,
      max: latency.max,
      average: latency.average,
      backendCpuShare,
    };
  } finally {
    await stopBackend?.().catch(() => {});
    await db.drop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs statusLoad.ts in a child process and returns its result. */
function runLoad(
  origin: string,
  idsFile: string,
  options: StatusOptions,
  bare: boolean,
): Promise<any> {
  return new Promise<any>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        resolvePath(__dirname, 'statusLoad.ts'),
      ],
      {
        env: {
          ...process.env,
          STATUS_URL: origin,
          STATUS_IDS_FILE: idsFile,
          STATUS_RATE: String(options.rate),
          STATUS_DURATION: String(options.durationSeconds),
          STATUS_WARMUP: String(options.warmupSeconds),
          STATUS_CONNECTIONS: String(options.connections),
          STATUS_BARE: bare ? '1' : '',
          STATUS_LOAD: options.load,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', chunk => (out += chunk));
    child.on('error', reject);
    child.on('exit', code => {
      if (code !== 0) reject(new Error(`load generator exited ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}
