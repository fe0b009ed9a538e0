/*
 * A privacy worker in its own process, for the fault tests:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     src/testing/workerProcess.ts
 *
 * with the RuntimeSpec (see harness.ts) as JSON in PRIVACY_FAULT_SPEC. It
 * builds the runtime on BullMQ, calls `reconcile()` when PRIVACY_FAULT_RECONCILE
 * is set, starts the workers and then prints one line
 * `READY {"reconciled":N}` on stdout. SIGTERM closes it gracefully; the
 * tests mostly end it with SIGKILL.
 */
import {
  createRuntimeFromSpec,
  createTestLogger,
  RuntimeSpec,
} from './harness';

async function main() {
  const raw = process.env.PRIVACY_FAULT_SPEC;
  if (!raw) throw new Error('PRIVACY_FAULT_SPEC is not set');
  const spec: RuntimeSpec = JSON.parse(raw);
  // Warnings and errors go straight to stderr: a SIGKILL must not lose them.
  const logger = createTestLogger(
    line => process.stderr.write(`[worker ${process.pid}] ${line}\n`),
    {},
    ['error', 'warn', 'info'],
  );
  const { runtime, close } = createRuntimeFromSpec(spec, logger);

  let reconciled: number | null = null;
  if (process.env.PRIVACY_FAULT_RECONCILE) {
    reconciled = await runtime.reconcile();
  }
  runtime.startWorkers();
  process.stdout.write(`READY ${JSON.stringify({ reconciled })}\n`);

  const shutdown = async () => {
    await close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
}

main().catch(error => {
  process.stderr.write(`worker process failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
