/*
 * Spawning and killing worker child processes (workerProcess.ts) for the
 * fault tests. No Jest in here.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { RuntimeSpec } from './harness';

const PACKAGE = '@internal/plugin-privacy-backend';
const PLUGIN_ROOT = resolvePackagePath(PACKAGE);
const WORKER_SCRIPT = resolvePackagePath(
  PACKAGE,
  'src/testing/workerProcess.ts',
);

export interface WorkerChild {
  child: ChildProcess;
  /** What reconcile() returned at start, or null when it was not asked for. */
  reconciled: number | null;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Everything it wrote to stderr. */
  stderr: string[];
}

/** Starts a worker process and waits until its workers run. */
export async function spawnWorker(
  spec: RuntimeSpec,
  options: { reconcile?: boolean; timeoutMs?: number } = {},
): Promise<WorkerChild> {
  const transform = require.resolve(
    '@backstage/cli-node/config/nodeTransform.cjs',
  );
  const child = spawn(
    process.execPath,
    ['--require', transform, WORKER_SCRIPT],
    {
      cwd: PLUGIN_ROOT,
      env: {
        ...process.env,
        PRIVACY_FAULT_SPEC: JSON.stringify(spec),
        PRIVACY_FAULT_RECONCILE: options.reconcile ? '1' : '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', chunk => stderr.push(chunk));
  const exited = new Promise<number | NodeJS.Signals | null>(resolve =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );

  const reconciled = await new Promise<number | null>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker not ready in time: ${stderr.join('')}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', chunk => {
      out += chunk;
      const match = out.match(/^READY (.*)$/m);
      if (match) {
        clearTimeout(timer);
        resolve(JSON.parse(match[1]).reconciled);
      }
    });
    void exited.then(code => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}): ${stderr.join('')}`));
    });
  });
  return { child, reconciled, exited, stderr };
}

/** `kill -9` and wait until the process is gone. */
export async function killHard(worker: WorkerChild): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.kill('SIGKILL');
  }
  await worker.exited;
}

/** SIGTERM (graceful close), SIGKILL after `graceMs`. */
export async function stopGracefully(
  worker: WorkerChild,
  graceMs = 10_000,
): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null)
    return;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs);
  await worker.exited;
  clearTimeout(timer);
}
