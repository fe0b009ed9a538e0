import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
/*
 * Fault: the worker process dies with SIGKILL in the middle of a run.
 *
 * PostgreSQL (a database created for this run) + BullMQ on Redis (a unique
 * key prefix), three SQL data sources. The test process is the API: it
 * submits the export requests and runs no workers. A child process runs the
 * workers; once 20-50 % of the requests have completed it is killed with
 * SIGKILL, and a new child (which reconciles first) takes over. Every request
 * must complete exactly once and the audit chain must verify.
 */
import { createPrivacyAuditChain } from '../audit';
import {
  FreshDatabase,
  RuntimeSpec,
  countByState,
  createRuntimeFromSpec,
  exactlyOnceReport,
  exportIntake,
  failedAttempts,
  mapLimit,
  sleep,
  uniqueName,
} from '../testing/harness';
import type { RedisKeys } from '../testing/redisKeys';
import { FaultScenario, setUpFaultScenario } from '../testing/scenario';
import {
  WorkerChild,
  killHard,
  spawnWorker,
  stopGracefully,
} from '../testing/workers';

const REQUESTS = Number(process.env.PRIVACY_FAULT_REQUESTS ?? 1000);

jest.setTimeout(240_000);

describe('kill -9 of the worker process', () => {
  const name = uniqueName('privacy_fault_kill');
  const prefix = `${name}-queue`;
  let db: FreshDatabase;
  let spec: RuntimeSpec;
  let redis: RedisKeys;
  const workers: WorkerChild[] = [];

  let scenario: FaultScenario | undefined;

  beforeAll(async () => {
    scenario = await setUpFaultScenario(name, REQUESTS);
    ({ db, spec, redis } = scenario);
  });

  afterAll(async () => {
    await Promise.all(workers.map(w => killHard(w)));
    await scenario?.tearDown();
  });

  it(`completes each of ${REQUESTS} exports exactly once across a SIGKILL and a restart`, async () => {
    const timings: Record<string, number> = {};
    const started = Date.now();
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

    // The API side: submit everything, no workers in this process.
    const api = createRuntimeFromSpec(spec);
    const ids = await mapLimit(
      Array.from({ length: REQUESTS }, (_, i) => i),
      10,
      async i => {
        const { request, created } = await api.runtime.intake.submit(
          'export',
          exportIntake(i),
          'user:default/fault-test',
        );
        expect(created).toBe(true);
        return request.id;
      },
    );
    await api.close();
    mark('submitted');
    expect(new Set(ids).size).toBe(REQUESTS);

    // First worker process, killed with SIGKILL at 20-50 %.
    const first = await spawnWorker(spec);
    workers.push(first);
    mark('first worker ready');
    for (;;) {
      const done = await completed();
      if (done >= REQUESTS * 0.25) break;
      await sleep(20);
      if (Date.now() - started > 120_000) {
        throw new Error(
          `only ${done} completed before the kill; worker stderr: ${first.stderr.join(
            '',
          )}`,
        );
      }
    }
    await killHard(first);
    mark('first worker killed');
    const atKill = await countByState(db.knex);
    // Jobs the dead worker had taken (BullMQ's active list): their locks
    // must expire before BullMQ hands them out again.
    const activeAtKill = Number(
      await redis.command('LLEN', `${prefix}:privacy-dsar:active`),
    );
    const completedAtKill = atKill.completed ?? 0;
    expect(completedAtKill).toBeGreaterThanOrEqual(REQUESTS * 0.2);
    expect(completedAtKill).toBeLessThanOrEqual(REQUESTS * 0.5);

    // Second worker process: reconcile, then work.
    const second = await spawnWorker(spec, { reconcile: true });
    workers.push(second);
    mark('second worker ready');
    // Requests whose job the killed worker held come back only when BullMQ
    // finds the job stalled (its lock expired); everything else runs at once.
    let lastProgress = Date.now();
    let previous = -1;
    for (;;) {
      const done = await completed();
      if (done >= REQUESTS) break;
      if (
        done >= REQUESTS - activeAtKill &&
        timings['all but the jobs active at the kill completed'] === undefined
      ) {
        mark('all but the jobs active at the kill completed');
      }
      if (done !== previous) {
        previous = done;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress > 90_000) {
        throw new Error(
          `no progress for 90 s at ${done}/${REQUESTS}: ${JSON.stringify(
            await countByState(db.knex),
          )}; worker stderr: ${second.stderr.join('')}`,
        );
      }
      await sleep(100);
    }
    mark('all completed');
    await stopGracefully(second);
    mark('second worker stopped');

    const report = await exactlyOnceReport(db.knex, ids);
    const rerun = await db
      .knex('privacy_requests')
      .where('attempts', '>', 1)
      .count({ n: '*' });
    const verification = await createPrivacyAuditChain(db.knex, {
      keyring: testAuditKeyring(),
    }).verify();
    mark('verified');

    // eslint-disable-next-line no-console
    console.log(
      [
        `kill -9 fault, ${REQUESTS} export requests, 3 PostgreSQL sources, BullMQ prefix ${prefix}`,
        `states at the kill: ${JSON.stringify(
          atKill,
        )}; jobs active in BullMQ at the kill: ${activeAtKill}`,
        `second worker reconciled (re-queued) ${second.reconciled} requests at start`,
        `requests run more than once (attempts > 1): ${Number(rerun[0].n)}`,
        `audit events: ${verification.count}, verify ok: ${verification.ok}`,
        `failed attempts (retried): ${JSON.stringify(
          await failedAttempts(db.knex),
        )}`,
        'timings (s since start):',
        ...Object.entries(timings).map(([k, v]) => `  ${v.toFixed(2)}  ${k}`),
      ].join('\n'),
    );

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
