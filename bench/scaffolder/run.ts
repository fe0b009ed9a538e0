/*
 * The rollback template's portal overhead. From the repository root, after
 * `. scripts/bootstrap.sh` (RUN = node --require
 * @backstage/cli-node/config/nodeTransform.cjs bench/scaffolder/run.ts, or
 * `yarn bench:scaffolder`):
 *
 *   RUN                          # 10 runs, pods ready 3 s after a change (the demo's default)
 *   RUN --runs 20 --ready-after-ms 1000
 *
 * Options: --runs N (10), --warmup W (1 untimed-for-the-summary run per side),
 * --ready-after-ms R (3000: the stand-in's pod start), --poll-ms P (50: how
 * often the task is read), --services a,b,… (the demo services to alternate),
 * --task-timeout T (ready-after + 60 s: a task still running then, in a step
 * after the rollback such as verify health, is cancelled),
 * --wait-for-ports S (600: how long to wait for ports 7007, 7081 and 7017
 * (the smoke test's portal) to be free).
 *
 * Starts the real portal backend (app-config.yaml in demo mode: the
 * Kubernetes stand-in on 127.0.0.1:7081), signs in as the guest, and for each
 * run rolls one demo service back twice: once through the portal (submit the
 * `rollback-bad-deploy` template, poll the task until it ends) and once
 * directly with the library (`rollbackDeployment`) against the same stand-in.
 * Portal total = submit → rolled back (the step's change record says when the
 * rollout was done); overhead = total − the rollout wait (the step's
 * `rolloutWaitMs`, from the same record). Prints every run, then median and p95 of both overheads
 * and whether the aim (≤ 5 s) is met. See README.md.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { parse as parseYaml } from 'yaml';
import { rollbackDeployment } from '../../plugins/scaffolder-backend-module-ops/src/kubernetes/rollback';
import { resolveCluster } from '../../plugins/scaffolder-backend-module-ops/src/kubernetes/clusters';
import { parseArgs } from '../shared/process';
import {
  ROOT,
  api,
  guestToken,
  listening,
  runRollbackTask,
  startPortal,
  stepRecord,
  waitFor,
} from './portal';

const AIM_OVERHEAD_MS = 5000;
const BASE_URL = 'http://localhost:7007';
// The portal, its Kubernetes stand-in, and the browser smoke test's portal
// (scripts/smoke: port 7017, and its own stand-in on 7081).
const PORTS = [7007, 7081, 7017];
const DEFAULT_SERVICES = [
  'checkout',
  'payments',
  'api-gateway',
  'accounts',
  'search',
  'notifications',
  'analytics',
];

const log = (line: string) => process.stdout.write(`${line}\n`);
const s = (ms: number) => (ms / 1000).toFixed(2);

/** Nearest-rank percentile (p95 of 10 values is the largest). */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Measured {
  service: string;
  /** Submit (or call) to rolled back: the rollback and its rollout done. */
  totalMs: number;
  rolloutWaitMs: number;
  overheadMs: number;
}

interface PortalMeasured extends Measured {
  /** Submit to the step's handler starting: the task queue, template rendering. */
  beforeStepMs: number;
  /** In the step, outside the rollout wait: the catalog read, the Kubernetes calls. */
  inStepMs: number;
  /** Submit to the task's end, and how it ended (later steps: verify, announce). */
  taskEndMs: number;
  status: string;
  lastLines: string;
}

/** Waits (every 15 s) until nothing listens on the ports; another run may hold them. */
async function waitForFreePorts(timeoutMs: number) {
  const busy = async () => {
    const held: number[] = [];
    for (const port of PORTS) if (await listening(port)) held.push(port);
    return held;
  };
  const first = await busy();
  if (first.length === 0) return;
  log(
    `in use: port ${first.join(', ')} (another portal?); waiting up to ${
      timeoutMs / 1000
    } s for them to free`,
  );
  await waitFor(
    `ports ${PORTS.join(', ')} to be free`,
    async () => {
      const held = await busy();
      return held.length === 0 || `in use: ${held.join(', ')}`;
    },
    timeoutMs,
    15_000,
  );
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const runs = Number(args.runs ?? 10);
  const warmup = Number(args.warmup ?? 1);
  const readyAfterMs = Number(args['ready-after-ms'] ?? 3000);
  const pollMs = Number(args['poll-ms'] ?? 50);
  const taskTimeoutMs =
    Number(args['task-timeout'] ?? (readyAfterMs + 60_000) / 1000) * 1000;
  const services = String(args.services ?? DEFAULT_SERVICES.join(','))
    .split(',')
    .map(x => x.trim())
    .filter(Boolean);
  if (
    !(runs > 0) ||
    !(warmup >= 0) ||
    !(readyAfterMs >= 0) ||
    !(pollMs > 0) ||
    services.length === 0
  ) {
    throw new Error(
      '--runs must be positive, --warmup, --ready-after-ms ≥ 0, --poll-ms > 0, --services not empty',
    );
  }

  log(
    `machine: ${cpus().length} CPU (${cpus()[0]?.model}), ${(
      totalmem() /
      2 ** 30
    ).toFixed(1)} GiB RAM, load ${loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}; node ${process.version}; ${new Date().toISOString()}`,
  );
  await waitForFreePorts(Number(args['wait-for-ports'] ?? 600) * 1000);

  const dir = await mkdtemp(path.join(tmpdir(), 'scaffolder-bench-'));
  const extraConfig = path.join(dir, 'app-config.bench.yaml');
  await writeFile(
    extraConfig,
    `ops:\n  scaffolder:\n    demo:\n      kubernetes:\n        readyAfterMs: ${readyAfterMs}\n`,
  );
  const appConfig = path.join(ROOT, 'app-config.yaml');
  // The cluster the action uses (app-config.yaml's), for the baseline.
  const cluster = resolveCluster(
    new ConfigReader(parseYaml(await readFile(appConfig, 'utf8'))),
  );

  log(`starting the portal backend (log: ${path.join(dir, 'backend.log')})`);
  const bootStarted = performance.now();
  const portal = await startPortal({
    baseUrl: BASE_URL,
    configFiles: [appConfig, extraConfig],
    logFile: path.join(dir, 'backend.log'),
    timeoutMs: 300_000,
  });
  let failed = false;
  process.once('SIGINT', () => {
    portal.stop().finally(() => process.exit(130));
  });
  try {
    // The demo catalog loads after the backend is up: the guest gets the
    // oncall group, and the template and services appear, a little later.
    let token = '';
    const entities = new Map<string, Entity>();
    await waitFor(
      'the demo catalog (template, services, the guest in oncall)',
      async () => {
        const guest = await guestToken(BASE_URL);
        if (!guest.groups.includes('group:default/oncall')) {
          return 'guest token without group:default/oncall';
        }
        token = guest.token;
        for (const ref of [
          'template/default/rollback-bad-deploy',
          ...services.map(x => `component/default/${x}`),
        ]) {
          const entity = await api<Entity>(
            BASE_URL,
            token,
            `/api/catalog/entities/by-name/${ref}`,
          ).catch(e => String(e.message));
          if (typeof entity === 'string') return entity;
          if (ref.startsWith('component/')) entities.set(ref, entity);
        }
        return true;
      },
      180_000,
      1000,
      portal.exited,
    );
    log(
      `portal ready in ${s(performance.now() - bootStarted)} s; cluster ${
        cluster.name
      } at ${
        cluster.url
      }; pods ready ${readyAfterMs} ms after a change; ${warmup} warm-up + ${runs} runs`,
    );

    const portalRun = async (service: string): Promise<PortalMeasured> => {
      const task = await runRollbackTask({
        baseUrl: BASE_URL,
        token,
        entityRef: `component:default/${service}`,
        reason: 'benchmark: the portal overhead of a rollback',
        pollMs,
        timeoutMs: taskTimeoutMs,
      });
      const step = await stepRecord(BASE_URL, token, task.taskId, 'kubernetes');
      if (!step) {
        throw new Error(
          `task ${task.taskId} (${service}) ended ${task.status} without a rollback on record: ${task.lastLines}`,
        );
      }
      const totalMs = step.finishedAt - task.submittedAt;
      return {
        service,
        totalMs,
        rolloutWaitMs: step.rolloutWaitMs,
        overheadMs: totalMs - step.rolloutWaitMs,
        beforeStepMs: step.startedAt - task.submittedAt,
        inStepMs: step.finishedAt - step.startedAt - step.rolloutWaitMs,
        taskEndMs: task.endMs,
        status: task.status,
        lastLines: task.lastLines,
      };
    };
    const libraryRun = async (service: string): Promise<Measured> => {
      const started = performance.now();
      const result = await rollbackDeployment({
        entity: entities.get(`component/default/${service}`)!,
        cluster: cluster.name,
        kubeConfig: cluster.kubeConfig,
        reason: 'benchmark: the library baseline',
      });
      const totalMs = performance.now() - started;
      return {
        service,
        totalMs,
        rolloutWaitMs: result.rolloutWaitMs,
        overheadMs: totalMs - result.rolloutWaitMs,
      };
    };

    const portalRows: PortalMeasured[] = [];
    const libraryRows: Measured[] = [];
    log('');
    log(
      '| run | service | first | portal: submit → rolled back | rollout wait | **overhead** | before the step | in the step | task end | library: call → rolled back | rollout wait | **overhead** |',
    );
    log(
      '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
    );
    for (let i = 0; i < warmup + runs; i++) {
      const service = services[i % services.length];
      // Alternate which side goes first, so neither always finds a warmer stand-in.
      const portalFirst = i % 2 === 0;
      let p: PortalMeasured;
      let b: Measured;
      if (portalFirst) {
        p = await portalRun(service);
        b = await libraryRun(service);
      } else {
        b = await libraryRun(service);
        p = await portalRun(service);
      }
      const label = i < warmup ? `warm-up ${i + 1}` : String(i - warmup + 1);
      if (i >= warmup) {
        portalRows.push(p);
        libraryRows.push(b);
      }
      log(
        `| ${label} | ${service} | ${portalFirst ? 'portal' : 'library'} | ${s(
          p.totalMs,
        )} s | ${s(p.rolloutWaitMs)} s | **${s(p.overheadMs)} s** | ${s(
          p.beforeStepMs,
        )} s | ${s(p.inStepMs)} s | ${s(p.taskEndMs)} s ${p.status} | ${s(
          b.totalMs,
        )} s | ${s(b.rolloutWaitMs)} s | **${s(b.overheadMs)} s** |`,
      );
    }

    const col = <T>(rows: T[], f: (r: T) => number) => rows.map(f);
    const stat = (values: number[]) =>
      `${s(median(values))} s | ${s(percentile(values, 0.95))} s`;
    const pOver = col(portalRows, r => r.overheadMs);
    const bOver = col(libraryRows, r => r.overheadMs);
    log('');
    log(`| over ${runs} runs | median | p95 (nearest rank) |`);
    log('| --- | ---: | ---: |');
    log(
      `| **portal overhead** (submit → rolled back, minus the rollout wait) | **${stat(
        pOver,
      ).replace(' | ', '** | **')}** |`,
    );
    log(
      `| library baseline overhead (rollbackDeployment, minus its rollout wait) | ${stat(
        bOver,
      )} |`,
    );
    log(
      `| portal: submit → the step starts (task queue, template) | ${stat(
        col(portalRows, r => r.beforeStepMs),
      )} |`,
    );
    log(
      `| portal: in the step outside the wait (catalog read, Kubernetes calls) | ${stat(
        col(portalRows, r => r.inStepMs),
      )} |`,
    );
    log(
      `| rollout wait, portal / library (medians) | ${s(
        median(col(portalRows, r => r.rolloutWaitMs)),
      )} s / ${s(median(col(libraryRows, r => r.rolloutWaitMs)))} s | |`,
    );
    log(
      `| portal: submit → task end (later steps: verify health, announce) | ${stat(
        col(portalRows, r => r.taskEndMs),
      )} |`,
    );
    const failedTasks = portalRows.filter(r => r.status !== 'completed');
    if (failedTasks.length > 0) {
      log('');
      log(
        `${
          failedTasks.length
        } of ${runs} tasks did not complete after the rollback (it is on record; the overhead above is to "rolled back"): ${failedTasks
          .map(r => `${r.service} ${r.status}`)
          .join(', ')}. The last one's log: ${
          failedTasks[failedTasks.length - 1].lastLines
        }`,
      );
    }
    const pMedian = median(pOver);
    const pP95 = percentile(pOver, 0.95);
    log('');
    log(
      `aim: portal overhead ≤ ${s(AIM_OVERHEAD_MS)} s — ${
        pP95 <= AIM_OVERHEAD_MS
          ? `met (median ${s(pMedian)} s, p95 ${s(
              pP95,
            )} s; the library alone ${s(median(bOver))} s)`
          : pMedian <= AIM_OVERHEAD_MS
          ? `met at the median (${s(pMedian)} s), missed at p95 (${s(pP95)} s)`
          : `missed (median ${s(pMedian)} s, p95 ${s(pP95)} s)`
      }`,
    );
  } catch (error) {
    failed = true;
    log(`backend log kept: ${portal.logFile}`);
    const gone = portal.exited();
    if (gone) log(gone);
    throw error;
  } finally {
    await portal.stop();
    if (!failed) await rm(dir, { recursive: true, force: true });
  }
}

main().catch(err => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
