import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Criterion } from '@internal/plugin-evidence-common';
import { pointsOf } from '@internal/plugin-evidence-common';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import { AuditChain, AuditKeyring, BlobStore } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { BinderService } from './binders/BinderService';
import { CollectorRunner } from './collectors/CollectorRunner';
import type { BinderKeys } from './config';
import { CoverageService } from './coverage/CoverageService';
import { ExceptionService } from './exceptions/ExceptionService';
import { EvidenceService } from './items/EvidenceService';
import { AccessReviewService } from './reviews/AccessReviewService';
import { BinderStore } from './store/BinderStore';
import { ExceptionStore } from './store/ExceptionStore';
import { ItemStore } from './store/ItemStore';
import { RunStore } from './store/RunStore';

export const EVIDENCE_AUDIT_TABLES = {
  events: 'evidence_audit_events',
  pending: 'evidence_audit_pending',
};

/**
 * Every store and service of the evidence plugin over one database: what
 * the plugin wires, and what tests call without a server.
 */
export function createEvidenceServices(options: {
  db: Knex;
  blobs: BlobStore;
  auditKeyring: AuditKeyring;
  criteria: Criterion[];
  retentionYears: number;
  binderKeys: BinderKeys;
  binderCompressionLevel?: number;
  collectors: EvidenceCollector[];
  logger: LoggerService;
  wakeBinderBuilder?: () => void;
  clock?: () => Date;
}) {
  const { db, blobs, logger, clock } = options;
  const knownPoints = new Set(pointsOf(options.criteria).map(p => p.id));
  const audit = new AuditChain({
    db,
    tables: EVIDENCE_AUDIT_TABLES,
    keyring: options.auditKeyring,
  });
  const items = new ItemStore(db);
  const runs = new RunStore(db);
  const exceptionStore = new ExceptionStore(db);
  const evidence = new EvidenceService({
    db,
    items,
    blobs,
    audit,
    retentionYears: options.retentionYears,
    clock,
  });
  const collectors = new CollectorRunner({
    runs,
    evidence,
    audit,
    logger,
    knownPoints,
    clock,
  });
  for (const collector of options.collectors) collectors.add(collector);
  const coverage = new CoverageService({
    criteria: options.criteria,
    items,
    exceptions: exceptionStore,
    collectors,
    clock,
  });
  const binders = new BinderService({
    binders: new BinderStore(db),
    items,
    runs,
    coverage,
    blobs,
    audit,
    signingKey: options.binderKeys.privateKey,
    publicKeyPem: options.binderKeys.publicKeyPem,
    compressionLevel: options.binderCompressionLevel,
    logger,
    wake: options.wakeBinderBuilder,
    clock,
  });
  return {
    knownPoints,
    audit,
    items,
    runs,
    exceptionStore,
    evidence,
    collectors,
    coverage,
    binders,
    exceptions: new ExceptionService({
      db,
      exceptions: exceptionStore,
      audit,
      knownPoints,
      clock,
    }),
    reviews: new AccessReviewService({ items, evidence }),
  };
}

export type EvidenceServices = ReturnType<typeof createEvidenceServices>;
