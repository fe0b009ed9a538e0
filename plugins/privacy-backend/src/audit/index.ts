export {
  AuditLog,
  AUDIT_TABLE,
  PENDING_TABLE,
  GENESIS_HASH,
  canonicalJson,
  hashAuditFields,
} from './AuditLog';
export type { AuditEntry, HashedFields } from './AuditLog';
export { AuditAnchor } from './AuditAnchor';
export type { AuditHead } from './AuditAnchor';
export { AuditChainer } from './AuditChainer';
export { ConsentLedger, CONSENT_TABLE } from './ConsentLedger';
export type { ConsentRecord } from './ConsentLedger';
