import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
/*
 * Fault: Redis loses the queue in the middle of a run.
 *
 * PostgreSQL (a database created for this run) + BullMQ on Redis, three SQL
 * data sources, workers in this process. Once some of the requests have
 * completed, every Redis key under the run's unique prefix is deleted (the
 * test's FLUSHALL, which leaves the rest of Redis alone): waiting jobs,
 * active jobs, locks, queue metadata. `runtime.reconcile()` must then put
 * every in-flight request back on the queue, and every request must complete
 * exactly once, with the audit chain intact.
 */
import { createPrivacyAuditChain } from '../audit';
import {
  FreshDatabase,
  RuntimeSpec,
  countByState,
  createRuntimeFromSpec,
  createTestLogger,
  deleteKeysWithPrefix,
  exactlyOnceReport,
  exportIntake,
  failedAttempts,
  mapLimit,
  sleep,
  uniqueName,
} from '../testing/harness';
import type { RedisKeys } from '../testing/redisKeys';
import { FaultScenario, setUpFaultScenario } from '../testing/scenario';

const REQUESTS = Number(process.env.PRIVACY_FAULT_FLUSH_REQUESTS ?? 200);

jest.setTimeout(120_000);

describe('Redis keys of the queue deleted mid-run', () => {
  const name = uniqueName('privacy_fault_flush');
  const prefix = `${name}-queue`;
  let db: FreshDatabase;
  let spec: RuntimeSpec;
  let redis: RedisKeys;
  let closeRuntime: (() => Promise<void>) | undefined;

  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    scenario = await setUpFaultScenario(name, REQUESTS);
    ({ db, spec, redis } = scenario);
  });

  afterAll(async () => {
    await closeRuntime?.();
    await scenario?.tearDown();
  });

  it(`restores every in-flight request of ${REQUESTS} with reconcile() and completes each exactly once`, async () => {
    const started = Date.now();
    const timings: Record<string, number> = {};
    const mark = (label: string) => {
      timings[label] = (Date.now() - started) / 1000;
    };
    const completed = async () =>
      Number(
        (
          await db
            .knex('privacy_requests')
            .where({ state: 'completed' })
            .count({ n: '*' })
        )[0].n,
      );
    const logs: string[] = [];
    const { runtime, close } = createRuntimeFromSpec(
      spec,
      createTestLogger(logs, {}, ['error', 'warn', 'info']),
    );
    closeRuntime = close;

    const ids = await mapLimit(
      Array.from({ length: REQUESTS }, (_, i) => i),
      10,
      async i =>
        (
          await runtime.intake.submit(
            'export',
            exportIntake(i),
            'user:default/fault-test',
          )
        ).request.id,
    );
    mark('submitted');
    const keysBefore = await redis.count(`${prefix}:*`);

    runtime.startWorkers();
    while ((await completed()) < REQUESTS * 0.2) await sleep(10);

    const deleted = await deleteKeysWithPrefix(redis, prefix);
    mark('queue keys deleted');
    const atFlush = await countByState(db.knex);
    const inFlight = (atFlush.queued ?? 0) + (atFlush.running ?? 0);
    const keysLeft = await redis.count(`${prefix}:*`);

    // Nothing brings the lost jobs back but the reconciler.
    await sleep(1000);
    const withoutReconcile = await countByState(db.knex);

    const restored = await runtime.reconcile();
    mark('reconciled');
    // Every request still in flight now has its job again.
    const restoredAgain = await runtime.reconcile();

    let lastProgress = Date.now();
    let previous = -1;
    for (;;) {
      const done = await completed();
      if (done >= REQUESTS) break;
      if (done !== previous) {
        previous = done;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress > 30_000) {
        throw new Error(
          `no progress for 30 s at ${done}/${REQUESTS}: ${JSON.stringify(
            await countByState(db.knex),
          )}; queue ${JSON.stringify(
            await runtime.queue.counts(),
          )}; logs:\n${logs.join('\n')}`,
        );
      }
      await sleep(50);
    }
    mark('all completed');
    await close();
    closeRuntime = undefined;

    const report = await exactlyOnceReport(db.knex, ids);
    const verification = await createPrivacyAuditChain(db.knex, {
      keyring: testAuditKeyring(),
    }).verify();

    // eslint-disable-next-line no-console
    console.log(
      [
        `Redis flush fault, ${REQUESTS} export requests, BullMQ prefix ${prefix}`,
        `Redis keys under the prefix before the run: ${keysBefore}; deleted mid-run: ${deleted}; present right after (written again by the live worker): ${keysLeft}`,
        `states at the flush: ${JSON.stringify(atFlush)}`,
        `states 1 s later, before reconcile: ${JSON.stringify(
          withoutReconcile,
        )}`,
        `reconcile() re-queued ${restored} requests; a second reconcile() right after: ${restoredAgain}`,
        `audit events: ${verification.count}, verify ok: ${verification.ok}`,
        `failed attempts (retried): ${JSON.stringify(
          await failedAttempts(db.knex),
        )}`,
        `warnings/errors logged: ${
          logs.filter(l => !l.startsWith('info')).length
        }; distinct: ${[
          ...new Set(
            logs
              .filter(l => !l.startsWith('info'))
              .map(l => l.replace(/j\.[0-9a-f-]{36}/g, 'j.<id>').slice(0, 160)),
          ),
        ].join(' | ')}`,
        'timings (s since start):',
        ...Object.entries(timings).map(([k, v]) => `  ${v.toFixed(2)}  ${k}`),
      ].join('\n'),
    );

    expect(deleted).toBeGreaterThan(0);
    expect(inFlight).toBeGreaterThan(0);
    // Without the reconciler the lost requests stay where they were.
    expect(withoutReconcile.completed ?? 0).toBeLessThan(REQUESTS);
    // The requests in flight when their jobs vanished are put back at once.
    // A second pass may still find a straggler (a job that was running during
    // the deletion and failed after it), never many.
    expect(restored).toBeGreaterThan(0);
    expect(restoredAgain).toBeLessThanOrEqual(Math.ceil(restored / 10));
    expect(report.states).toEqual({ completed: REQUESTS });
    for (const check of [
      report.exportCreatedEvents,
      report.exportRows,
      report.completedEvents,
    ]) {
      expect(check).toEqual({
        rows: REQUESTS,
        notOnce: [],
        missing: [],
        unknown: [],
      });
    }
    expect(verification).toEqual({ ok: true, count: expect.any(Number) });
  });
});
