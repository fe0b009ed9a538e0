/*
 * The SLO services in their own process, for killDuringEvaluation.test.ts:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     src/faults/sloChild.ts
 *
 * with a ChildSpec (below) as JSON in SLO_FAULT_SPEC. On a database the test
 * migrated and filled, it runs what the plugin runs: the evaluation of every
 * objective at one minute, the audit chainer, and an outbox worker with the
 * real PagerDuty and Jira notifiers (pointed at the test's fake vendors).
 * It prints `EVALUATING`, `EVALUATED {summary}` and, once every delivery is
 * delivered, `DONE`, then exits. The test kills it with SIGKILL on the way.
 * No Jest in here.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  AuditChain,
  AuditChainer,
  Outbox,
  OutboxWorker,
} from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import knexFactory from 'knex';
import { AlertStore } from '../alerts/AlertStore';
import { EvaluationService } from '../evaluation/EvaluationService';
import { jiraNotifier } from '../notify/jira';
import { pagerDutyNotifier } from '../notify/pagerduty';
import { ObjectiveStore } from '../objectives/ObjectiveStore';

/** What the test hands the child. */
export interface ChildSpec {
  /** knex connection settings of the test's PostgreSQL database. */
  connection: unknown;
  /** The minute evaluated, epoch ms. */
  at: number;
  pagerDuty: { url: string; routingKey: string };
  jira: { url: string; email: string; apiToken: string; projectKey: string };
  leaseMs: number;
}

function stderrLogger(): LoggerService {
  const write = (level: string) => (message: string, meta?: Error | object) => {
    if (level === 'debug') return;
    process.stderr.write(
      `[slo child ${process.pid}] ${level} ${message}${
        meta ? ` ${String((meta as Error).stack ?? JSON.stringify(meta))}` : ''
      }\n`,
    );
  };
  const logger: LoggerService = {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: () => logger,
  };
  return logger;
}

async function main() {
  const raw = process.env.SLO_FAULT_SPEC;
  if (!raw) throw new Error('SLO_FAULT_SPEC is not set');
  const spec: ChildSpec = JSON.parse(raw);
  const logger = stderrLogger();
  const db = knexFactory({
    client: 'pg',
    connection: spec.connection as never,
    pool: { min: 0, max: 5 },
  });

  const objectives = new ObjectiveStore(db);
  const alerts = new AlertStore(db);
  const outbox = new Outbox({ db, table: 'slo_outbox' });
  const audit = new AuditChain({
    db,
    tables: { events: 'slo_audit_events', pending: 'slo_audit_pending' },
    keyring: testAuditKeyring(),
  });
  const evaluation = new EvaluationService({
    db,
    objectives,
    alerts,
    outbox,
    audit,
    links: { baseUrl: 'http://portal.test' },
    targets: new Set(['pager', 'tickets']),
    logger,
  });
  const worker = new OutboxWorker({
    outbox,
    deliverers: {
      pager: pagerDutyNotifier(spec.pagerDuty, {
        name: 'pager',
        links: alerts,
      }),
      tickets: jiraNotifier(spec.jira, { name: 'tickets', links: alerts }),
    },
    logger,
    leaseMs: spec.leaseMs,
    backoff: { baseMs: 100, maxMs: 1_000 },
  });
  const chainer = new AuditChainer(audit, logger, 50);
  chainer.start();

  process.stdout.write('EVALUATING\n');
  const summary = await evaluation.evaluateAll(spec.at);
  process.stdout.write(`EVALUATED ${JSON.stringify(summary)}\n`);

  for (;;) {
    const run = await worker.deliverDue();
    if (run.claimed > 0) continue;
    const [{ n }] = await db('slo_outbox')
      .whereNot('state', 'delivered')
      .count({ n: '*' });
    if (Number(n) === 0) break;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  await chainer.stop();
  process.stdout.write('DONE\n');
  await db.destroy();
  process.exit(0);
}

main().catch(error => {
  process.stderr.write(`slo child failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
