/*
 * The privacy (DSAR) benchmarks. From the repository root:
 *
 *   yarn bench:privacy                       # both, full size
 *   yarn bench:privacy --requests 1000       # smaller throughput run
 *   yarn bench:privacy --only throughput     # or --only status
 *
 * Options: --requests N (10000), --orders N per subject and source (16),
 * --submit-concurrency N (20), --status-rows N (100000), --rate N (500),
 * --duration S (20), --warmup S (15), --connections N (20),
 * --load paced|autocannon (status load generator, default paced),
 * --arrival-rate N (submit N requests/s instead of as fast as possible),
 * --synchronous-commit off (diagnostic only: the privacy database without
 * a WAL flush per commit; default on), --worker-processes N (workers in N
 * worker-only child processes, intake in this one, as an API replica and N
 * worker replicas would run; default 0: all in this process), --profile
 * (a CPU profile of this process over the measured part, written as a
 * .cpuprofile and summarised: where an export's time goes, what holds the
 * status backend's event loop; see profile.ts).
 *
 * Needs PostgreSQL (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
 * default postgresql://postgres@127.0.0.1:5432) and Redis (OPS_TEST_REDIS_URL,
 * default redis://127.0.0.1:6379). Creates its own databases and Redis keys
 * under a unique prefix and removes them at the end. See README.md.
 */
// First: with --profile, gives JSON.parse/stringify frames of their own
// before any library binds them (see jsonProbe.ts).
import './jsonProbe';
import { cpus, loadavg, totalmem } from 'node:os';
import {
  REDIS_URL,
  sweepStale,
  uniqueName,
} from '../../plugins/privacy-backend/src/testing/harness';
import { RedisKeys } from '../../plugins/privacy-backend/src/testing/redisKeys';
import { runStatusBench } from './status';
import { runThroughputBench } from './throughput';
import { MemoryPeak, parseArgs } from './util';

const AIMS = {
  requestsPerSecond: 300,
  ratio: 0.1,
  peakRssMb: 1024,
  statusP99Ms: 15,
  /** Status p99 at most this many times the bare server's p99 of the same run. */
  statusBareFactor: 2,
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const num = (name: string, fallback: number) => {
    const value = args[name];
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) {
      throw new Error(`--${name} must be a positive number, got ${value}`);
    }
    return parsed;
  };
  const only = args.only as string | undefined;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const memory = new MemoryPeak();
  const ok = (pass: boolean) => (pass ? 'meets the aim' : 'MISSES the aim');

  log(
    `privacy benchmarks, ${new Date().toISOString()}, node ${
      process.version
    }, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(
      totalmem() /
      2 ** 30
    ).toFixed(0)} GB RAM, load average ${loadavg()
      .map(x => x.toFixed(2))
      .join(' ')}`,
  );
  const summary: string[] = [];

  // Whatever an interrupted earlier run left behind (older than 2 hours).
  const redis = await RedisKeys.connect(REDIS_URL);
  const swept = await sweepStale(redis);
  await redis.close();
  if (swept.databases.length || swept.keyPrefixes.length) {
    log(
      `removed leftovers of earlier runs: databases ${swept.databases.join(
        ', ',
      )}; Redis prefixes ${swept.keyPrefixes.join(', ')}`,
    );
  }

  if (!only || only === 'throughput') {
    const requests = Math.round(num('requests', 10_000));
    log(`\n== throughput: ${requests} export requests`);
    const r = await runThroughputBench(
      {
        requests,
        ordersPerSubject: Math.round(num('orders', 16)),
        submitConcurrency: Math.round(num('submit-concurrency', 20)),
        name: uniqueName('privacy_bench_tp'),
        synchronousCommit: args['synchronous-commit'] === 'off' ? 'off' : 'on',
        workerProcesses: Math.round(num('worker-processes', 0)),
        profile: args.profile === true,
        arrivalRate:
          args['arrival-rate'] === undefined
            ? undefined
            : num('arrival-rate', 0),
      },
      memory,
      log,
    );
    log(
      `states at the end: ${JSON.stringify(r.states)}; warnings logged: ${
        r.warnings
      }`,
    );
    log(
      `sessions waiting on the audit append lock: average ${r.auditLockWaiters.average.toFixed(
        1,
      )}, max ${r.auditLockWaiters.max}, ≥1 waiting in ${(
        r.auditLockWaiters.busyShare * 100
      ).toFixed(0)} % of samples; bench process CPU ${(
        r.cpuShare * 100
      ).toFixed(0)} % of one core, event loop busy ${(
        r.eventLoopUtilization * 100
      ).toFixed(0)} % of the time; load average now ${loadavg()
        .map(x => x.toFixed(2))
        .join(' ')}`,
    );
    if (r.workerCpuShare !== undefined) {
      log(
        `worker processes (${r.workerProcesses}): CPU ${(
          r.workerCpuShare * 100
        ).toFixed(0)} % of one core, peak RSS ${r.workerPeakRssMb?.toFixed(
          0,
        )} MB`,
      );
    }
    summary.push(
      `throughput (${r.requests} exports, ${
        r.rowsPerSubject
      } rows/subject, 3 PG sources, BullMQ, concurrency ${
        r.concurrency
      }, synchronous_commit ${r.synchronousCommit}${
        r.workerCpuShare === undefined
          ? ', intake and workers in one process'
          : `, workers in ${r.workerProcesses} worker-only process(es)`
      })`,
      `  intake:              ${r.intakePerSecond.toFixed(
        0,
      )} requests/s (${r.intakeSeconds.toFixed(1)} s)`,
      `  completed:           ${r.requestsPerSecond.toFixed(
        1,
      )} requests/s (first createdAt → last completedAt ${r.totalSeconds.toFixed(
        1,
      )} s)  ${ok(r.requestsPerSecond >= AIMS.requestsPerSecond)} ≥ ${
        AIMS.requestsPerSecond
      }/s`,
      `  workers alone:       ${r.afterIntakePerSecond.toFixed(
        1,
      )} requests/s (completions after intake had finished)`,
      `  completion time:     p50 ${(r.completionMs.p50 / 1000).toFixed(
        1,
      )} s, p95 ${(r.completionMs.p95 / 1000).toFixed(1)} s, max ${(
        r.completionMs.max / 1000
      ).toFixed(1)} s (createdAt → completedAt)`,
      `  CPU per export:      ${r.cpuMsPerExport.toFixed(
        2,
      )} ms (this process, all threads${
        r.workerCpuShare === undefined ? '' : ': intake only'
      })`,
      `  BullMQ no-op:        ${r.noopPerSecond.toFixed(0)} jobs/s (${
        r.noopJobs
      } jobs in ${r.noopSeconds.toFixed(1)} s)`,
      `  ratio:               ${r.ratio.toFixed(3)} of the no-op rate  ${ok(
        r.ratio >= AIMS.ratio,
      )} ≥ ${AIMS.ratio}`,
      `  peak RSS so far:     ${r.peakRssMb.toFixed(0)} MB  ${ok(
        r.peakRssMb < AIMS.peakRssMb,
      )} < ${AIMS.peakRssMb} MB`,
    );
    if (r.workerPeakRssMb !== undefined) {
      summary.push(
        `  worker processes:    peak RSS ${r.workerPeakRssMb.toFixed(
          0,
        )} MB  ${ok(r.workerPeakRssMb < AIMS.peakRssMb)} < ${
          AIMS.peakRssMb
        } MB; CPU ${(r.workerCpuShare! * 100).toFixed(0)} % of one core`,
      );
    }
  }

  if (!only || only === 'status') {
    const rows = Math.round(num('status-rows', 100_000));
    log(`\n== status latency: ${rows} stored requests`);
    const r = await runStatusBench(
      {
        rows,
        rate: Math.round(num('rate', 500)),
        durationSeconds: num('duration', 20),
        warmupSeconds: num('warmup', 15),
        connections: Math.round(num('connections', 20)),
        load: args.load === 'autocannon' ? 'autocannon' : 'paced',
        name: uniqueName('privacy_bench_st'),
        profile: args.profile === true,
      },
      log,
    );
    summary.push(
      `status latency (GET /api/privacy/status/:id, ${r.rows} rows, ${r.rate} req/s for ${r.durationSeconds} s, random ids, ${r.load} load)`,
      `  sent/answered:       ${r.requests} requests, ${r.achievedRate.toFixed(
        0,
      )} req/s achieved, ${r.non2xx} non-2xx, ${r.errors} errors, ${
        r.timeouts
      } timeouts`,
      `  backend CPU:         ${(r.backendCpuShare * 100).toFixed(
        0,
      )} % of one core during the load; load average now ${loadavg()
        .map(x => x.toFixed(2))
        .join(' ')}`,
      `  event loop delay:    p50 ${r.loopDelay.p50} ms, p99 ${r.loopDelay.p99} ms, max ${r.loopDelay.max} ms (beyond the monitor's 5 ms timer; bare server: p99 ${r.baseline.loopDelay.p99} ms)`,
      `                       ${'p50'.padStart(7)} ${'p90'.padStart(
        7,
      )} ${'p99'.padStart(7)} ${'max'.padStart(7)}  (ms)`,
      `  backend:             ${[r.p50, r.p90, r.p99, r.max]
        .map(x => x.toFixed(1).padStart(7))
        .join(' ')}  ${ok(r.p99 <= AIMS.statusP99Ms)} p99 ≤ ${
        AIMS.statusP99Ms
      } ms`,
      `  bare node:http:      ${[
        r.baseline.p50,
        r.baseline.p90,
        r.baseline.p99,
        r.baseline.max,
      ]
        .map(x => x.toFixed(1).padStart(7))
        .join(' ')}  (own process, same load generator, ${
        r.baseline.bodyBytes
      }-byte JSON body)`,
      `  p99 ÷ bare p99:      ${(r.p99 / r.baseline.p99).toFixed(1)}×  ${ok(
        r.p99 <= AIMS.statusBareFactor * r.baseline.p99,
      )} ≤ ${AIMS.statusBareFactor}×`,
    );
  }

  const peak = memory.peakMb();
  memory.stop();
  summary.push(`peak RSS of the bench process: ${peak.toFixed(0)} MB`);
  log(`\n== summary\n${summary.join('\n')}`);
}

main().then(
  () => process.exit(0),
  error => {
    process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
