import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { Knex } from 'knex';
import {
  AnchorStore,
  AuditChainer,
  QueueDriver,
  QueueOptions,
} from '@internal/plugin-ops-node';
import { createPrivacyAuditChain } from './audit';
import { ConsentLedger } from './consent/ConsentLedger';
import { ConsentService } from './consent/ConsentService';
import { ExportService } from './exports/ExportService';
import { RequestReader } from './requests/RequestReader';
import { SlaService } from './SlaService';
import type { PrivacyConfig } from './config';
import { DsarJob, DsarQueue } from './executor/DsarQueue';
import { Executor } from './executor/Executor';
import {
  closeRegionRuntimes,
  createRegionRuntimes,
} from './executor/RegionRuntime';
import { ResultStore } from './executor/ResultStore';
import { SourceResolver } from './executor/SourceResolver';
import { LegalHoldStore } from './holds';
import { createIdentifierProtection } from './identifiers';
import { ExecutorTransitions } from './requests/ExecutorTransitions';
import { IntakeService } from './requests/IntakeService';
import { RequestService } from './requests/RequestService';
import { RequestStore } from './requests/RequestStore';

/**
 * The privacy plugin's parts, wired together without any Backstage service,
 * so the plugin, the fault tests and the benchmarks run the same code.
 */
export function createPrivacyServices(options: {
  db: Knex;
  config: PrivacyConfig;
  queueDriver: QueueDriver;
  queueOptions: QueueOptions;
  loadResources: () => Promise<Entity[]>;
  logger: LoggerService;
  /** Where the audit chain's head is anchored outside the database (see AuditAnchor). */
  auditAnchorStore?: AnchorStore;
}) {
  const { db, config, logger } = options;
  const identifiers = createIdentifierProtection(config);
  const regions = createRegionRuntimes(config);
  const store = new RequestStore(db, identifiers);
  const audit = createPrivacyAuditChain(db, options.auditAnchorStore);
  const auditChainer = new AuditChainer(audit, logger);
  auditChainer.start();
  const consent = new ConsentService({
    ledger: new ConsentLedger(db, audit),
    identifiers,
  });
  const holds = new LegalHoldStore(db, identifiers);
  const results = new ResultStore(db);
  const queue = new DsarQueue(
    options.queueDriver.queue<DsarJob>('privacy-dsar', options.queueOptions),
    logger,
  );
  const intake = new IntakeService({
    store,
    audit,
    dispatcher: queue,
    holds,
    config,
  });
  const requests = new RequestService({
    db,
    store,
    audit,
    dispatcher: queue,
    holds,
  });
  const transitions = new ExecutorTransitions({ db, store, audit });
  const executor = new Executor({
    transitions,
    store,
    results,
    sources: new SourceResolver(options.loadResources),
    regions,
    exportLinkDays: config.exportLinkDays,
    logger,
  });
  return {
    reader: new RequestReader({ db, store, audit }),
    exports: new ExportService({ results, store, regions, audit }),
    sla: new SlaService({ store, objective: config.objective }),
    identifiers,
    regions,
    store,
    audit,
    consent,
    holds,
    results,
    queue,
    intake,
    requests,
    transitions,
    executor,
    /** Starts consuming the queue in this process. */
    startWorkers: () => queue.startWorkers(executor, transitions),
    reconcile: () => queue.reconcile(store),
    async close() {
      await queue.close();
      await options.queueDriver.close();
      await auditChainer.stop();
      await closeRegionRuntimes(regions);
    },
  };
}

export type PrivacyServices = ReturnType<typeof createPrivacyServices>;
