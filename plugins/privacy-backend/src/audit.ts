import {
  AnchorStore,
  AuditAnchor,
  AuditChain,
  AuditKeyring,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';

/** The privacy plugin's audit chain tables (see migrations/). */
export const PRIVACY_AUDIT_TABLES = {
  events: 'privacy_audit_events',
  pending: 'privacy_audit_pending',
};

/**
 * The privacy plugin's instance of the shared audit chain, signed with
 * `keyring`; with `anchorStore`, its head is also anchored there under
 * `privacy/audit-head/<chainId>.json`.
 */
export function createPrivacyAuditChain(
  db: Knex,
  options: {
    keyring: AuditKeyring;
    anchorStore?: AnchorStore;
    chainId?: string;
  },
): AuditChain {
  return new AuditChain({
    db,
    tables: PRIVACY_AUDIT_TABLES,
    keyring: options.keyring,
    chainId: options.chainId,
    anchor:
      options.anchorStore &&
      new AuditAnchor({ store: options.anchorStore, prefix: 'privacy' }),
  });
}
