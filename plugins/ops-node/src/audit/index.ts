export { AuditChain } from './AuditChain';
export type { AuditChainOptions } from './AuditChain';
export type { AuditedWriteOptions } from './auditedWrite';
export type { AuditEntry, RowAuditEntry } from './entries';
export { AuditAnchor } from './AuditAnchor';
export type { AnchorStore, AuditHead } from './AuditAnchor';
export { AuditChainer } from './AuditChainer';
export { GENESIS_HASH, canonicalJson, hashAuditFields } from './hashing';
export type { HashedFields } from './hashing';
export {
  addAppendOnlyTrigger,
  createAuditChainTables,
  dropAuditChainTables,
} from './tables';
export type { AuditChainTables } from './tables';
