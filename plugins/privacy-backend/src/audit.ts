import {
  AnchorStore,
  AuditAnchor,
  AuditChain,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';

/** The privacy plugin's audit chain tables (see migrations/). */
export const PRIVACY_AUDIT_TABLES = {
  events: 'privacy_audit_events',
  pending: 'privacy_audit_pending',
};

/**
 * The privacy plugin's instance of the shared audit chain; with
 * `anchorStore`, its head is also anchored there under `privacy/`.
 */
export function createPrivacyAuditChain(
  db: Knex,
  anchorStore?: AnchorStore,
): AuditChain {
  return new AuditChain({
    db,
    tables: PRIVACY_AUDIT_TABLES,
    anchor:
      anchorStore && new AuditAnchor({ store: anchorStore, prefix: 'privacy' }),
  });
}
