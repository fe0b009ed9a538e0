/*
 * Throughput of the DSAR executor: N export requests against three SQL data
 * sources (one PostgreSQL database each, ~50 rows per subject across them),
 * BullMQ on Redis, workers in this process with the `ops.queue` defaults
 * (concurrency 10). And, with the same driver and options, N no-op jobs: the
 * ceiling the queue itself puts on any handler.
 */
import { ConfigReader } from '@backstage/config';
import { createConfiguredQueue } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import knexFactory from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readPrivacyConfig } from '../../plugins/privacy-backend/src/config';
import {
  FreshDatabase,
  REDIS_URL,
  countByState,
  createFreshDatabase,
  createSourceTables,
  createTestLogger,
  deleteKeysWithPrefix,
  exportIntake,
  mapLimit,
  migrate,
  privacyConfigData,
  resourceEntity,
  sleep,
} from '../../plugins/privacy-backend/src/testing/harness';
import { RedisKeys } from '../../plugins/privacy-backend/src/testing/redisKeys';
import {
  WorkerChild,
  spawnWorker,
  stopGracefully,
} from '../../plugins/privacy-backend/src/testing/workers';
import { createPrivacyServices } from '../../plugins/privacy-backend/src/services';
import { startCpuProfile, summariseProfile, writeProfile } from './profile';
import { startQueryCounter } from './queryCounter';
import { schedstat } from './stalls';
import {
  MemoryPeak,
  percentile,
  processCpuSeconds,
  processPeakRssMb,
  seconds,
} from './util';

export interface ThroughputOptions {
  requests: number;
  /** Orders per subject in each source; with its customer row, 17 × 3 = 51 rows per subject. */
  ordersPerSubject: number;
  /** Requests (and no-op jobs) submitted at once. */
  submitConcurrency: number;
  /**
   * Requests submitted per second (open loop) instead of as fast as
   * possible: below capacity, the completion times are latencies rather
   * than the length of the backlog.
   */
  arrivalRate?: number;
  name: string;
  /** PostgreSQL synchronous_commit of the privacy database ('on' is the default and the honest setting). */
  synchronousCommit: 'on' | 'off';
  /**
   * Run the workers in this many worker-only child processes, as worker
   * replicas would, and intake in this one (an API replica); 0 runs both
   * here.
   */
  workerProcesses: number;
  /**
   * Take a CPU profile of this process from the first submit to the last
   * completion (intake and, with workerProcesses 0, the workers) and print
   * where the time goes (profile.ts).
   */
  profile?: boolean;
}

export interface ThroughputResult {
  requests: number;
  rowsPerSubject: number;
  concurrency: number;
  intakeSeconds: number;
  intakePerSecond: number;
  totalSeconds: number;
  requestsPerSecond: number;
  /** Completions per second once intake had finished (workers alone). */
  afterIntakePerSecond: number;
  arrivalRate?: number;
  completionMs: { p50: number; p95: number; max: number };
  noopJobs: number;
  noopSeconds: number;
  noopPerSecond: number;
  ratio: number;
  peakRssMb: number;
  states: Record<string, number>;
  warnings: number;
  /** Sessions of the privacy database waiting on the audit append lock, sampled every 100 ms. */
  auditLockWaiters: { average: number; max: number; busyShare: number };
  /** CPU time of this process during the privacy run, as a share of one core. */
  cpuShare: number;
  /**
   * CPU time of this process (all its threads) per export, ms: less
   * sensitive to what else runs on the machine than the rates. With
   * worker processes it is the intake's only.
   */
  cpuMsPerExport: number;
  /** Share of the run the event loop (the main thread) was busy: near 1, it is the limit. */
  eventLoopUtilization: number;
  /** With worker processes: their CPU together (share of one core) and the largest peak RSS. */
  workerProcesses: number;
  workerCpuShare?: number;
  workerPeakRssMb?: number;
  synchronousCommit: string;
}

/** The ops.queue config of the bench: defaults, except Redis and the start rate limit. */
function queueConfig(prefix: string) {
  return new ConfigReader({
    ops: {
      queue: {
        driver: 'bullmq',
        redis: { url: REDIS_URL },
        prefix,
        // The default (100 job starts per 60 s) would cap any run at 1.7/s.
        rateLimit: { max: 1_000_000, durationSeconds: 1 },
      },
    },
  });
}

export async function runThroughputBench(
  options: ThroughputOptions,
  memory: MemoryPeak,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const { requests: n, name } = options;
  const prefix = `${name}-queue`;
  const databases: FreshDatabase[] = [];
  const storage = mkdtempSync(join(tmpdir(), 'privacy-bench-'));
  const workers: WorkerChild[] = [];
  const warnings: string[] = [];
  const logger = createTestLogger(
    line => {
      warnings.push(line);
      if (warnings.length <= 5) log(`  ${line.slice(0, 300)}`);
    },
    {},
    ['error', 'warn'],
  );
  try {
    // --- set-up: the privacy database and three source databases -------
    let t = performance.now();
    const main = await createFreshDatabase(
      name,
      { min: 0, max: 20 },
      options.synchronousCommit === 'off' ? { synchronous_commit: 'off' } : {},
    );
    databases.push(main);
    await migrate(main.knex);
    const sources = await Promise.all(
      [1, 2, 3].map(async i => {
        const db = await createFreshDatabase(`${name}_src${i}`, {
          min: 0,
          max: 2,
        });
        databases.push(db);
        await createSourceTables(db.knex, {
          subjects: n,
          ordersPerSubject: options.ordersPerSubject,
        });
        await db.knex.destroy(); // the connectors open their own clients
        return { name: `source-${i}`, connection: db.connection };
      }),
    );
    const rowsPerSubject = 3 * (1 + options.ordersPerSubject);
    log(
      `set-up: 4 databases, ${n} subjects × ${rowsPerSubject} rows in 3 sources (${(
        3 *
        n *
        (1 + options.ordersPerSubject)
      ).toLocaleString('en')} rows) in ${seconds(performance.now() - t)} s`,
    );

    // --- raw BullMQ: no-op jobs through the same driver and options ----
    const noop = createConfiguredQueue(queueConfig(`${prefix}-noop`), logger);
    const noopQueue = noop.driver.queue<{ i: number }>(
      'bench-noop',
      noop.options,
    );
    let handled = 0;
    let lastHandled = 0;
    noopQueue.process(async () => {
      handled += 1;
      lastHandled = performance.now();
    });
    t = performance.now();
    await mapLimit(
      Array.from({ length: n }, (_, i) => i),
      options.submitConcurrency,
      async i => noopQueue.add({ id: `noop-${i}`, data: { i } }),
    );
    while (handled < n) await sleep(20);
    const noopSeconds = (lastHandled - t) / 1000;
    await noop.driver.close();
    log(
      `no-op: ${n} jobs (concurrency ${
        noop.options.concurrency
      }) in ${noopSeconds.toFixed(2)} s = ${(n / noopSeconds).toFixed(
        0,
      )} jobs/s`,
    );

    // --- the privacy runtime --------------------------------------------
    const queue = createConfiguredQueue(queueConfig(prefix), logger);
    // One config (with its generated keys) for intake and workers alike.
    const privacy = privacyConfigData({
      storageDirectory: join(storage, 'EU'),
      sources,
    });
    const config = readPrivacyConfig(new ConfigReader({ privacy }));
    const resources = sources.map(s =>
      resourceEntity(`${s.name}-db`, 'EU', s.name),
    );
    const runtime = createPrivacyServices({
      db: main.knex,
      config,
      queueDriver: queue.driver,
      queueOptions: queue.options,
      loadResources: async () => resources,
      logger,
      auditKeyring: testAuditKeyring(),
    });
    for (let i = 0; i < options.workerProcesses; i++) {
      workers.push(
        await spawnWorker({
          database: main.connection,
          redisUrl: REDIS_URL,
          prefix,
          privacy,
          resources,
          queueOptions: queue.options,
        }),
      );
    }
    if (workers.length === 0) runtime.startWorkers();
    const workersCpu = () =>
      workers.reduce((sum, w) => sum + processCpuSeconds(w.child.pid!), 0);
    const workerCpuBefore = workersCpu();

    // What PostgreSQL sessions of the privacy database wait on meanwhile.
    const lockSamples: number[] = [];
    const monitor = knexFactory({
      client: 'pg',
      connection: main.connection,
      pool: { min: 0, max: 1 },
    });
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await monitor.raw(
          `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory') AS n
           FROM pg_stat_activity WHERE datname = current_database()`,
        );
        lockSamples.push(Number(rows[0].n));
        await sleep(100);
      }
    })();
    const stopProfile = options.profile ? await startCpuProfile() : undefined;
    const stopCounting = options.profile ? startQueryCounter() : undefined;
    const cpuBefore = process.cpuUsage();
    const schedBefore = schedstat();
    const eluBefore = performance.eventLoopUtilization();

    t = performance.now();
    const submit = (i: number) =>
      runtime.intake.submit('export', exportIntake(i), 'user:default/bench');
    if (options.arrivalRate) {
      // Open loop: request i is due at i / rate seconds, whatever came before.
      const pending = new Set<Promise<unknown>>();
      for (let i = 0; i < n; i++) {
        const wait = t + (i * 1000) / options.arrivalRate - performance.now();
        if (wait > 0) await sleep(wait);
        while (pending.size >= 1000) await Promise.race(pending);
        const p: Promise<unknown> = submit(i).finally(() => pending.delete(p));
        pending.add(p);
      }
      await Promise.all(pending);
    } else {
      await mapLimit(
        Array.from({ length: n }, (_, i) => i),
        options.submitConcurrency,
        submit,
      );
    }
    const intakeEnd = Date.now();
    const intakeSeconds = (performance.now() - t) / 1000;
    log(
      `intake: ${n} requests in ${intakeSeconds.toFixed(2)} s (${(
        n / intakeSeconds
      ).toFixed(0)}/s${
        options.arrivalRate ? `, paced at ${options.arrivalRate}/s` : ''
      }, workers running meanwhile)`,
    );

    let done = 0;
    let lastDone = -1;
    let lastProgress = performance.now();
    let lastReport = performance.now();
    for (;;) {
      done = Number(
        (
          await main
            .knex('privacy_requests')
            .whereIn('state', ['completed', 'dead_lettered'])
            .count({ n: '*' })
        )[0].n,
      );
      if (done >= n) break;
      if (done !== lastDone) {
        lastDone = done;
        lastProgress = performance.now();
      }
      if (performance.now() - lastProgress > 120_000) {
        throw new Error(
          `no progress for 120 s: ${JSON.stringify(
            await countByState(main.knex),
          )}`,
        );
      }
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        log(`  … ${done}/${n} done after ${seconds(performance.now() - t)} s`);
      }
      await sleep(200);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - t);
    const eventLoopUtilization =
      performance.eventLoopUtilization(eluBefore).utilization;
    const schedAfter = schedstat();
    const profile = await stopProfile?.();
    const queries = stopCounting?.();
    if (schedBefore && schedAfter) {
      log(
        `main thread: on a CPU ${(
          (schedAfter.run - schedBefore.run) /
          1000
        ).toFixed(1)} s, runnable but waiting for a CPU ${(
          (schedAfter.wait - schedBefore.wait) /
          1000
        ).toFixed(
          1,
        )} s (a sampling profile bills that wait to the code where the thread lost its CPU, often a system call that woke PostgreSQL, Redis or a file-system thread)`,
      );
    }
    if (profile) {
      log(
        `CPU profile of this process (first submit → last completion${
          workers.length ? ', intake only: the workers run elsewhere' : ''
        }) written to ${writeProfile(profile, 'throughput')}`,
      );
      log(
        `per export: ${((cpu.user + cpu.system) / n).toFixed(
          0,
        )} µs of CPU (process.cpuUsage, all threads) over ${n} exports`,
      );
      summariseProfile(profile, log, { buckets: true, units: n, top: 25 });
    }
    if (queries) {
      const total = [...queries.values()].reduce((a, b) => a + b, 0);
      log(
        `SQL statements sent by this process: ${total} = ${(total / n).toFixed(
          2,
        )} per export (the bench's own progress polls included):`,
      );
      for (const [shape, count] of [...queries.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20)) {
        log(
          `  ${String(count).padStart(7)}  ${(count / n)
            .toFixed(3)
            .padStart(6)}/export  ${shape}`,
        );
      }
    }
    const workerCpuShare = workers.length
      ? (workersCpu() - workerCpuBefore) / ((performance.now() - t) / 1000)
      : undefined;
    for (const line of workers.flatMap(w => w.stderr).slice(0, 5)) {
      log(`  worker: ${line.slice(0, 300)}`);
    }
    const workerPeakRssMb = workers.length
      ? Math.max(...workers.map(w => processPeakRssMb(w.child.pid!)))
      : undefined;
    sampling = false;
    await sampler;
    await monitor.destroy();
    const states = await countByState(main.knex);
    const errors: Array<{ last_error: string }> = await main
      .knex('privacy_requests')
      .distinct('last_error')
      .whereNotNull('last_error')
      .limit(3);
    for (const { last_error } of errors) log(`  error: ${last_error}`);

    // createdAt → completedAt of every request, from the rows themselves.
    const rows: Array<{ created_at: Date; completed_at: Date | null }> =
      await main.knex('privacy_requests').select('created_at', 'completed_at');
    const created = rows.map(r => new Date(r.created_at).getTime());
    const completedTimes = rows
      .filter(r => r.completed_at)
      .map(r => new Date(r.completed_at!).getTime());
    const durations = rows
      .filter(r => r.completed_at)
      .map(
        r =>
          new Date(r.completed_at!).getTime() -
          new Date(r.created_at).getTime(),
      )
      .sort((a, b) => a - b);
    const lastCompleted = Math.max(...completedTimes);
    const totalSeconds = (lastCompleted - Math.min(...created)) / 1000;
    const afterIntake = completedTimes.filter(x => x > intakeEnd).length;
    const afterIntakePerSecond =
      afterIntake > 0
        ? afterIntake / ((lastCompleted - intakeEnd) / 1000)
        : NaN;

    await runtime.close();

    const requestsPerSecond = (states.completed ?? 0) / totalSeconds;
    const noopPerSecond = n / noopSeconds;
    return {
      requests: n,
      rowsPerSubject,
      concurrency: queue.options.concurrency!,
      intakeSeconds,
      intakePerSecond: n / intakeSeconds,
      totalSeconds,
      requestsPerSecond,
      afterIntakePerSecond,
      arrivalRate: options.arrivalRate,
      completionMs: {
        p50: percentile(durations, 0.5),
        p95: percentile(durations, 0.95),
        max: durations[durations.length - 1] ?? NaN,
      },
      noopJobs: n,
      noopSeconds,
      noopPerSecond,
      ratio: requestsPerSecond / noopPerSecond,
      peakRssMb: memory.peakMb(),
      states,
      warnings: warnings.length,
      auditLockWaiters: {
        average:
          lockSamples.reduce((a, b) => a + b, 0) /
          Math.max(1, lockSamples.length),
        max: Math.max(0, ...lockSamples),
        busyShare:
          lockSamples.filter(x => x > 0).length /
          Math.max(1, lockSamples.length),
      },
      cpuShare,
      cpuMsPerExport: (cpu.user + cpu.system) / 1000 / n,
      eventLoopUtilization,
      workerProcesses: options.workerProcesses,
      workerCpuShare,
      workerPeakRssMb,
      synchronousCommit: options.synchronousCommit,
    };
  } finally {
    await Promise.all(workers.map(w => stopGracefully(w)));
    const redis = await RedisKeys.connect(REDIS_URL);
    for (const p of [prefix, `${prefix}-noop`]) {
      await deleteKeysWithPrefix(redis, p).catch(() => {});
    }
    await redis.close();
    for (const db of databases) await db.drop().catch(() => {});
    rmSync(storage, { recursive: true, force: true });
  }
}
