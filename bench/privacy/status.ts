/*
 * Latency of GET /api/privacy/status/:id, the route a requester's portal
 * polls: N stored requests (inserted in bulk), the real plugin in a backend
 * (startTestBackend: the real router, store and database, mock auth and
 * permissions), a load generator in a child process at a fixed rate over
 * random ids (statusLoad.ts: paced open loop, or autocannon).
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
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
import { fieldBinding } from '../../plugins/privacy-backend/src/crypto';
import { privacyPlugin } from '../../plugins/privacy-backend/src/plugin';
import {
  logAllocations,
  startAllocationProfile,
  startCpuProfile,
  summariseProfile,
  writeProfile,
} from './profile';
import { StallSummary, logStalls, startStallMonitor } from './stalls';
import { percentile, seconds } from './util';

export interface StatusOptions {
  rows: number;
  rate: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** `paced` (constant-rate open loop, the default) or `autocannon` (bursts each second); see statusLoad.ts. */
  load: 'paced' | 'autocannon';
  name: string;
  /** Take a CPU profile of the backend (this process) over the measured window. */
  profile?: boolean;
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
  baseline: {
    p50: number;
    p90: number;
    p99: number;
    max: number;
    /** Size of the JSON body it answers: a real status answer of median size. */
    bodyBytes: number;
    loopDelay: { p50: number; p99: number; max: number };
    cpuShare: number;
  };
  /** CPU of the backend process (this one) during the measured run, share of one core. */
  backendCpuShare: number;
  /** The backend's event loop delay over the measured run, ms beyond the monitor's timer. */
  loopDelay: { p50: number; p99: number; max: number };
  /** Why the backend's loop stalled: GC, its own work, or waiting for a CPU. */
  stalls: StallSummary;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const LOOP_RESOLUTION_MS = 5;
/** A monitorEventLoopDelay value (ns) as ms beyond the monitor's own timer interval. */
const beyondTimer = (ns: number) =>
  Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 10) / 10);

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
          subject_enc: identifiers.encrypt(
            subjectId(i),
            fieldBinding('privacy_requests', id, 'subject_enc'),
          ),
          email_enc: identifiers.encrypt(
            subjectEmail(i),
            fieldBinding('privacy_requests', id, 'email_enc'),
          ),
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
              audit: { signingKey: TEST_AUDIT_KEY },
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

    // The body the baseline answers: a real answer of median size.
    const sizes: Array<{ size: number; body: string }> = [];
    for (let i = 0; i < 101; i++) {
      const res = await fetch(
        `${origin}/api/privacy/status/${
          ids[Math.floor(Math.random() * ids.length)]
        }`,
      );
      const body = await res.text();
      sizes.push({ size: Buffer.byteLength(body), body });
    }
    sizes.sort((a, b) => a.size - b.size);
    const bodyFile = join(dir, 'body.json');
    writeFileSync(bodyFile, sizes[50].body);

    // --- the load --------------------------------------------------------
    const idsFile = join(dir, 'ids.json');
    writeFileSync(idsFile, JSON.stringify(ids));
    log(
      `${options.load} load: ${options.rate} req/s, ${
        options.connections
      } connections, ${options.warmupSeconds} s warm-up, then ${
        options.durationSeconds
      } s measured; load average ${loadavg()
        .map(x => x.toFixed(2))
        .join(' ')}`,
    );
    // How long the backend's event loop was held up (GC, synchronous work),
    // over the measured window. The histogram records the interval of a
    // 5 ms timer: an idle loop shows p50 ≈ 5 ms, so the delay is what
    // exceeds 5 ms. The monitors start with the warm-up and are reset when
    // the measured window begins, so that their own start (a timer, a GC
    // observer, listeners on the server and knex) is not in the window.
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loopDelay.enable();
    const stallMonitor = startStallMonitor();
    const timing = timeInside(backend.server, db.knex);
    let cpuBefore = process.cpuUsage();
    let measureStarted = performance.now();
    // With --profile: the CPU profiler starts before the load (starting it
    // holds the loop for a few hundred ms while V8 logs all code) and only
    // the samples of the measured window are summarised; allocations are
    // sampled over the measured window.
    const profileStarted = performance.now();
    const stopProfile = options.profile
      ? await startCpuProfile(1000)
      : undefined;
    let measuredFromMs = 0;
    let stopAllocations:
      | Awaited<ReturnType<typeof startAllocationProfile>>
      | undefined;
    const result = await runLoad(origin, idsFile, options, false, async () => {
      loopDelay.reset();
      stallMonitor.reset();
      timing.reset();
      cpuBefore = process.cpuUsage();
      measureStarted = performance.now();
      measuredFromMs = measureStarted - profileStarted;
      if (options.profile) stopAllocations = await startAllocationProfile();
    });
    loopDelay.disable();
    const stalls = stallMonitor.stop();
    const inside = timing.stop();
    const cpu = process.cpuUsage(cpuBefore);
    const backendCpuShare =
      (cpu.user + cpu.system) / 1000 / (performance.now() - measureStarted);
    const profile = await stopProfile?.();
    const allocations = await stopAllocations?.();
    const delay = {
      p50: beyondTimer(loopDelay.percentile(50)),
      p99: beyondTimer(loopDelay.percentile(99)),
      max: beyondTimer(loopDelay.max),
    };
    log(
      `backend event loop delay (beyond the ${LOOP_RESOLUTION_MS} ms timer): p50 ${
        delay.p50
      } ms, p99 ${delay.p99} ms, max ${delay.max} ms; CPU ${(
        backendCpuShare * 100
      ).toFixed(0)} % of one core`,
    );
    logStalls('backend', stalls, log);
    logLoadDetail('backend', result, log);
    log(
      `inside the backend (ms)         p50     p90     p99     max\n` +
        `  request → response sent  ${inside.server}\n` +
        `  its SQL query            ${inside.query}`,
    );
    if (profile) {
      log(
        `CPU profile of the backend written to ${writeProfile(
          profile,
          'status',
        )}`,
      );
      summariseProfile(profile, log, {
        stretches: true,
        fromMs: measuredFromMs,
      });
    }
    if (allocations) {
      logAllocations(allocations, result.requests.total, 'request', log);
    }
    // Requests the load generator abandoned at the end may still be running.
    await new Promise(r => setTimeout(r, 1000));
    const { latency } = result;

    // The floor of this machine: the same load, from the same generator,
    // against a bare Node HTTP server in its own process that answers a
    // body of the same size at once.
    log(
      `baseline: the same load against a bare Node HTTP server (own process, ${
        sizes[50].size
      }-byte JSON body, the median answer); load average ${loadavg()
        .map(x => x.toFixed(2))
        .join(' ')}`,
    );
    const bare = await startBareServer(bodyFile);
    let baseline: any;
    try {
      baseline = await runLoad(bare.origin, idsFile, options, true, async () =>
        bare.measuring(),
      );
    } finally {
      bare.stop();
    }
    const bareStats = await bare.stats;
    logStalls('bare server', bareStats.stalls, log);
    logLoadDetail('bare server', baseline, log);
    log(
      `bare server event loop delay (beyond the timer): p50 ${
        bareStats.loopDelay.p50
      } ms, p99 ${bareStats.loopDelay.p99} ms, max ${
        bareStats.loopDelay.max
      } ms; CPU ${(bareStats.cpuShare * 100).toFixed(0)} % of one core`,
    );

    return {
      baseline: {
        p50: baseline.latency.p50,
        p90: baseline.latency.p90,
        p99: baseline.latency.p99,
        max: baseline.latency.max,
        bodyBytes: sizes[50].size,
        loopDelay: bareStats.loopDelay,
        cpuShare: bareStats.cpuShare,
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
      loopDelay: delay,
      stalls,
    };
  } finally {
    await stopBackend?.().catch(() => {});
    await db.drop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Times each request inside the backend, from the HTTP server's `request`
 * event to the response's `finish`, and each SQL query (knex `query` to
 * `query-response`). Against the load generator's latency this says where
 * a slow request spent its time: before the backend read it (a busy or
 * stalled event loop), in the route, or in PostgreSQL.
 */
function timeInside(
  server: { on: Function; off: Function },
  knex: { on: Function; off: Function },
): { reset(): void; stop(): { server: string; query: string } } {
  let requests: number[] = [];
  let queries: number[] = [];
  const started = new Map<string, number>();
  const onRequest = (_req: unknown, res: any) => {
    const t0 = performance.now();
    res.once('finish', () => requests.push(performance.now() - t0));
  };
  const onQuery = (q: { __knexQueryUid: string }) =>
    started.set(q.__knexQueryUid, performance.now());
  const onResponse = (_r: unknown, q: { __knexQueryUid: string }) => {
    const t0 = started.get(q.__knexQueryUid);
    if (t0 !== undefined) {
      started.delete(q.__knexQueryUid);
      queries.push(performance.now() - t0);
    }
  };
  server.on('request', onRequest);
  knex.on('query', onQuery);
  knex.on('query-response', onResponse);
  const reset = () => {
    requests = [];
    queries = [];
  };
  const stop = () => {
    server.off('request', onRequest);
    knex.off('query', onQuery);
    knex.off('query-response', onResponse);
    const row = (xs: number[]) => {
      xs.sort((a, b) => a - b);
      return [0.5, 0.9, 0.99, 1]
        .map(q =>
          (percentile(xs, q) ?? NaN).toFixed(1).padStart(q === 0.5 ? 5 : 7),
        )
        .join(' ');
    };
    return { server: row(requests), query: row(queries) };
  };
  return { reset, stop };
}

/** The paced generator's own lateness, and in which seconds the slowest 1 % came. */
function logLoadDetail(who: string, result: any, log: (line: string) => void) {
  if (!result.sendLag) return;
  log(
    `${who}: load generator sent late by p99 ${result.sendLag.p99} ms, max ${
      result.sendLag.max
    } ms; answers ≥ p99 per second of the run: ${result.slowBySecond.join(
      ' ',
    )}`,
  );
}

/** Runs statusLoad.ts in a child process and returns its result. */
function runLoad(
  origin: string,
  idsFile: string,
  options: StatusOptions,
  bare: boolean,
  onMeasuring?: () => Promise<void>,
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
    let measuring: Promise<void> = Promise.resolve();
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', chunk => {
      const before = out;
      out += chunk;
      if (!before.includes('MEASURING\n') && out.includes('MEASURING\n')) {
        measuring = onMeasuring?.() ?? measuring;
      }
    });
    child.on('error', reject);
    child.on('exit', code => {
      if (code !== 0) reject(new Error(`load generator exited ${code}`));
      else {
        measuring.then(
          () => resolve(JSON.parse(out.trim().split('\n').pop()!)),
          reject,
        );
      }
    });
  });
}

/** bareServer.ts in its own process; `stop` closes its stdin, `stats` is what it printed then. */
async function startBareServer(bodyFile: string) {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      resolvePath(__dirname, 'bareServer.ts'),
    ],
    {
      env: { ...process.env, STATUS_BODY_FILE: bodyFile },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', chunk => {
      out += chunk;
      const match = /^PORT (\d+)$/m.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', code => reject(new Error(`bare server exited ${code}`)));
  });
  const stats = new Promise<{
    cpuShare: number;
    loopDelay: { p50: number; p99: number; max: number };
    stalls: StallSummary;
  }>((resolve, reject) => {
    child.once('exit', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!));
      } catch (error) {
        reject(error);
      }
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    /** The warm-up is over: the server starts its counted window afresh. */
    measuring: () => {
      child.stdin!.write('measure\n');
    },
    stop: () => child.stdin!.end(),
    stats,
  };
}
