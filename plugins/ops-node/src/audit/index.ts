export { AuditChain } from './AuditChain';
export type { AuditChainOptions } from './AuditChain';
export type { AuditedWriteOptions } from './auditedWrite';
export type { AuditEntry, RowAuditEntry } from './entries';
export { AuditAnchor } from './AuditAnchor';
export type { AnchorStore, AuditHead } from './AuditAnchor';
export { AuditChainer } from './AuditChainer';
export type { AuditChainerOptions } from './AuditChainer';
export {
  CATEGORIZED_OPS_AUDIT_TYPES,
  auditEventToEcs,
  categorizeOpsAudit,
  isPrivilegedOpsAudit,
  outcomeOfOpsAudit,
  serviceOfOpsAudit,
} from './ecs';
export type {
  AuditCategorization,
  AuditEcsFields,
  AuditEventLike,
} from './ecs';
export {
  CatalogServiceTargets,
  entityRefOfAuditData,
  serviceTargetOf,
} from './serviceTargets';
export type {
  EcsServiceTarget,
  ServiceTargetFacts,
  ServiceTargetLookup,
} from './serviceTargets';
export { AuditKeyring } from './AuditKeyring';
export type { AuditKey, AuditKeyPurpose, HmacPads } from './AuditKeyring';
export { committedAuditKeyPaths, readAuditKeyring } from './config';
export {
  GENESIS_HASH,
  canonicalJson,
  chainMessage,
  pendingMessage,
} from './hashing';
export type { HashedFields, PendingFields } from './hashing';
export {
  addAppendOnlyTrigger,
  addTruncateTrigger,
  createAuditChainTables,
  dropAuditChainTables,
} from './tables';
export type { AuditChainTables } from './tables';
