import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { AuditChain, Outbox } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import type { Knex } from 'knex';
import { AlertService } from '../alerts/AlertService';
import { AlertStore } from '../alerts/AlertStore';
import { EvaluationService } from '../evaluation/EvaluationService';
import { discoverObjectives } from '../objectives/discovery';
import { ObjectiveService } from '../objectives/ObjectiveService';
import { ObjectiveStore } from '../objectives/ObjectiveStore';
import type { DefaultRouting } from '../objectives/tiers';
import { KnexSampleStore } from '../samples/SampleStore';

/** Migrates a test database to the plugin's latest schema. */
export async function migrateSlo(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    directory: resolvePackagePath('@internal/plugin-slo-backend', 'migrations'),
  });
}

/**
 * The plugin's services on a migrated test database, with the objectives
 * of `files` stored, and a clock the test moves.
 */
export async function sloServices(
  knex: Knex,
  options: {
    files: Array<{ file: string; text: string }>;
    routing?: DefaultRouting;
    targets?: string[];
    now: () => Date;
    logger: LoggerService;
  },
) {
  await migrateSlo(knex);
  const objectives = new ObjectiveStore(knex, options.now);
  const routing = options.routing ?? { page: ['pager'], ticket: ['tickets'] };
  const discovered = discoverObjectives({
    files: options.files.map(f => ({
      ...f,
      key: f.file.replace(/\.ya?ml$/, ''),
    })),
    entities: [],
    routing,
  });
  await objectives.replaceAll(discovered.objectives, discovered.problems);
  const alerts = new AlertStore(knex);
  const outbox = new Outbox({
    db: knex,
    table: 'slo_outbox',
    now: options.now,
  });
  const audit = new AuditChain({
    db: knex,
    tables: { events: 'slo_audit_events', pending: 'slo_audit_pending' },
    keyring: testAuditKeyring(),
  });
  const links = { baseUrl: 'http://portal.test' };
  return {
    knex,
    objectives,
    discovered,
    samples: new KnexSampleStore(knex, options.now),
    alerts,
    outbox,
    audit,
    evaluation: new EvaluationService({
      db: knex,
      objectives,
      alerts,
      outbox,
      audit,
      links,
      targets: new Set(options.targets ?? ['pager', 'tickets']),
      logger: options.logger,
      now: options.now,
    }),
    objectiveService: new ObjectiveService({
      db: knex,
      store: objectives,
      now: options.now,
    }),
    alertService: new AlertService({
      db: knex,
      alerts,
      objectives,
      outbox,
      audit,
      links,
      now: options.now,
    }),
  };
}

/** A push-fed OpenSLO objective: `target` over a rolling `window`. */
export function pushObjectiveYaml(
  name: string,
  options: { target?: number; window?: string; service?: string } = {},
): string {
  return `apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${name}
  displayName: ${name}
spec:
  service: ${options.service ?? 'api-gateway'}
  indicator:
    metadata:
      name: ${name}-sli
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Push
            spec: {}
        total:
          metricSource:
            type: Push
            spec: {}
  timeWindow:
    - duration: ${options.window ?? '30d'}
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: ${name}
      target: ${options.target ?? 0.999}
`;
}
