/**
 * The real portal backend for the scaffolder benchmark (packages/backend/
 * src/index.ts with app-config.yaml), and the few HTTP calls the benchmark
 * makes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { changeEvidenceFileName } from '../../plugins/evidence-common/src/changes';
import { changeKey } from '../../plugins/scaffolder-backend-module-ops/src/record/rollbackChanges';

export const ROOT = path.resolve(__dirname, '../..');

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Polls `probe` until it returns true; a string (or a throw) is "not yet",
 * and the last one is part of the error at the deadline. `fatal` returns why
 * waiting longer is pointless (the backend exited), failing at once.
 */
export async function waitFor(
  what: string,
  probe: () => Promise<true | string>,
  timeoutMs: number,
  intervalMs = 1000,
  fatal?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const reason = fatal?.();
    if (reason) throw new Error(`${reason} (while waiting for ${what})`);
    try {
      const answer = await probe();
      if (answer === true) return;
      last = answer;
    } catch (error) {
      last = String((error as Error)?.message ?? error).split('\n')[0];
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what} (${last})`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The pids of a process and all its descendants. */
function processTree(pid: number): number[] {
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .map(Number)
    .filter(Boolean);
  return [pid, ...children.flatMap(processTree)];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops a process tree from the leaves up (the backend itself first). */
async function stopTree(pid: number): Promise<void> {
  for (const p of processTree(pid).reverse()) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      continue; // already gone
    }
    for (let i = 0; i < 30 && alive(p); i++) await sleep(500);
    if (alive(p)) process.kill(p, 'SIGKILL');
  }
}

export interface Portal {
  baseUrl: string;
  logFile: string;
  /** Why the backend is gone, once it exited. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/**
 * The backend as `yarn workspace backend start` runs it (`node --require
 * nodeTransform.cjs src/index.ts --config …` in packages/backend), but
 * without backstage-cli's file watcher: other work on the repository must
 * not restart the portal under a measurement. Output goes to `logFile`.
 */
export async function startPortal(options: {
  baseUrl: string;
  configFiles: string[];
  logFile: string;
  timeoutMs: number;
}): Promise<Portal> {
  const backendDir = path.join(ROOT, 'packages/backend');
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      'src/index.ts',
      ...options.configFiles.flatMap(f => [
        '--config',
        path.relative(backendDir, f),
      ]),
    ],
    {
      cwd: backendDir,
      env: {
        ...process.env,
        NODE_ENV: process.env.NODE_ENV ?? 'development',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = createWriteStream(options.logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited: string | undefined;
  child.once('exit', code => {
    exited = `the backend exited with ${code}; see ${options.logFile}`;
  });
  const portal: Portal = {
    baseUrl: options.baseUrl,
    logFile: options.logFile,
    exited: () => exited,
    stop: async () => {
      if (child.pid && !exited) await stopTree(child.pid);
    },
  };
  try {
    await waitFor(
      'the backend to be ready (/.backstage/health/v1/readiness)',
      async () => {
        const res = await fetch(
          `${options.baseUrl}/.backstage/health/v1/readiness`,
          {
            signal: AbortSignal.timeout(2000),
          },
        );
        return res.ok || `readiness: HTTP ${res.status}`;
      },
      options.timeoutMs,
      1000,
      () => exited,
    );
  } catch (error) {
    await portal.stop();
    throw error;
  }
  return portal;
}

/** A Backstage token of the guest (a member of every ops group, oncall included). */
export async function guestToken(
  baseUrl: string,
): Promise<{ token: string; groups: string[] }> {
  const res = await fetch(`${baseUrl}/api/auth/guest/refresh?env=development`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`guest sign-in: HTTP ${res.status}`);
  const body = (await res.json()) as any;
  return {
    token: body.backstageIdentity.token,
    groups: body.backstageIdentity.identity?.ownershipEntityRefs ?? [],
  };
}

/** GET or POST JSON with the token; fails naming the call and the status. */
export async function api<T>(
  baseUrl: string,
  token: string,
  route: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${baseUrl}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(
      `${body === undefined ? 'GET' : 'POST'} ${route}: HTTP ${
        res.status
      } ${text.slice(0, 300)}`,
    );
  }
  return JSON.parse(text) as T;
}

/** A task event: a log line (of a step), or the completion. */
export interface TaskEvent {
  type: string;
  body: { message?: string; stepId?: string; status?: string };
}

export interface TaskRun {
  taskId: string;
  /** Wall clock (Date.now()) just before the POST. */
  submittedAt: number;
  /** Submit to the read that saw the task end, ms (up to one poll late). */
  endMs: number;
  /** How it ended: completed, failed, or `cancelled at <timeout> s` by this run. */
  status: string;
  /** The last log lines, for a message when something is missing. */
  lastLines: string;
}

/**
 * Submits the rollback template (strategy `kubernetes`) and reads the task
 * every `pollMs` until it ends, or cancels it at `timeoutMs`; whether a step
 * after the rollback failed is the caller's to judge (the status is returned).
 */
export async function runRollbackTask(options: {
  baseUrl: string;
  token: string;
  entityRef: string;
  reason: string;
  pollMs: number;
  timeoutMs: number;
}): Promise<TaskRun> {
  const { baseUrl, token } = options;
  const submittedAt = Date.now();
  const started = performance.now();
  const { id } = await api<{ id: string }>(
    baseUrl,
    token,
    '/api/scaffolder/v2/tasks',
    {
      templateRef: 'template:default/rollback-bad-deploy',
      values: {
        entity: options.entityRef,
        strategy: 'kubernetes',
        reason: options.reason,
      },
    },
  );
  const route = `/api/scaffolder/v2/tasks/${encodeURIComponent(id)}`;
  let status = 'open';
  for (;;) {
    ({ status } = await api<{ status: string }>(baseUrl, token, route));
    if (status !== 'open' && status !== 'processing') break;
    if (performance.now() - started > options.timeoutMs) {
      // A later step still waiting (verify health of a service that stays
      // unhealthy): not measured, so cancelled rather than waited out.
      await api(baseUrl, token, `${route}/cancel`, {});
      status = `cancelled at ${options.timeoutMs / 1000} s`;
      break;
    }
    await sleep(options.pollMs);
  }
  const endMs = performance.now() - started;
  const events = await api<TaskEvent[]>(baseUrl, token, `${route}/events`);
  const lastLines = events
    .filter(e => e.body?.message)
    // eslint-disable-next-line no-control-regex
    .map(e => e.body.message!.replace(/\u001b\[\d+m/g, '').split('\n')[0])
    .slice(-3)
    .join(' | ');
  return { taskId: id, submittedAt, endMs, status, lastLines };
}

/** What the rollback step recorded in its change record (CC8.1 evidence). */
export interface StepRecord {
  evidenceItemId: string;
  /** Wall clock when the step's handler started (ms since the epoch). */
  startedAt: number;
  /** Wall clock when the rollback (and its rollout) had finished. */
  finishedAt: number;
  /** The step's `durationMs` and `rolloutWaitMs` outputs. */
  durationMs: number;
  rolloutWaitMs: number;
}

/**
 * The rollback step's record. The task API does not serve step outputs, so
 * they are read from the change record the step filed (plugins/scaffolder-
 * backend-module-ops/src/record/rollbackChanges.ts): the evidence item of
 * key `scaffolder:<task>:<step>`, whose content is the record, with the
 * step's `durationMs` and `rolloutWaitMs` in `details`, and `startedAt` /
 * `finishedAt` taken by the portal's clock (this machine's).
 */
export async function stepRecord(
  baseUrl: string,
  token: string,
  taskId: string,
  stepId: string,
): Promise<StepRecord | undefined> {
  const key = changeKey(taskId, stepId);
  const page = await api<{
    items: Array<{ id: string; summary?: { key?: string } }>;
  }>(
    baseUrl,
    token,
    `/api/evidence/items?${new URLSearchParams({
      type: 'change-management.rollback',
      q: changeEvidenceFileName(key),
      limit: '100',
    })}`,
  );
  const item = page.items.find(i => i.summary?.key === key);
  if (!item) return undefined;
  const record = await api<any>(
    baseUrl,
    token,
    `/api/evidence/items/${encodeURIComponent(item.id)}/content`,
  );
  const times = {
    evidenceItemId: item.id,
    startedAt: Date.parse(record?.startedAt),
    finishedAt: Date.parse(record?.finishedAt),
    durationMs: Number(record?.details?.durationMs),
    rolloutWaitMs: Number(record?.details?.rolloutWaitMs),
  };
  const missing = Object.entries(times)
    .filter(([, v]) => typeof v === 'number' && !Number.isFinite(v))
    .map(([k]) => k);
  if (missing.length > 0) {
    throw new Error(
      `the change record of ${key} (evidence item ${
        item.id
      }) lacks ${missing.join(', ')}`,
    );
  }
  return times;
}
