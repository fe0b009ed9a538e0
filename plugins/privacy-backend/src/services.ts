import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { Knex } from 'knex';
import {
  AnchorStore,
  AuditChainer,
  AuditKeyring,
  QueueDriver,
  QueueOptions,
} from '@internal/plugin-ops-node';
import { createPrivacyAuditChain } from './audit';
import { ConsentLedger } from './consent/ConsentLedger';
import { ConsentService } from './consent/ConsentService';
import { ExportService } from './exports/ExportService';
import { RequestReader } from './requests/RequestReader';
import { SlaService } from './SlaService';
import { type PrivacyConfig, configuredConnections } from './config';
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
  /** The keys that sign the audit chain (`readAuditKeyring`). */
  auditKeyring: AuditKeyring;
  /** Where the audit chain's head is anchored outside the database (see AuditAnchor). */
  auditAnchorStore?: AnchorStore;
  /** The chain's fixed name in the anchor store. */
  auditChainId?: string;
}) {
  const { db, config, logger } = options;
  const identifiers = createIdentifierProtection(config);
  const regions = createRegionRuntimes(config);
  // Config decides which stores take part; the catalog only names them.
  const sources = new SourceResolver(options.loadResources, {
    connections: configuredConnections(config),
    logger,
  });
  const store = new RequestStore(db, identifiers);
  const audit = createPrivacyAuditChain(db, {
    keyring: options.auditKeyring,
    anchorStore: options.auditAnchorStore,
    chainId: options.auditChainId,
  });
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
    sources,
    regions,
    exportLinkDays: config.exportLinkDays,
    logger,
  });
  return {
    reader: new RequestReader({ db, store, audit }),
    exports: new ExportService({ results, store, regions, audit, logger }),
    sla: new SlaService({ store, objective: config.objective }),
    identifiers,
    regions,
    sources,
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
