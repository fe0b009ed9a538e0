/** The ops actions' tables in the scaffolder's database (see migrations/). */
export const OPS_ACTIONS_AUDIT_TABLES = {
  events: 'ops_scaffolder_audit_events',
  pending: 'ops_scaffolder_audit_pending',
};
export const OPS_ACTIONS_OUTBOX_TABLE = 'ops_scaffolder_outbox';
export const OPS_ACTIONS_EVIDENCE_TABLE = 'ops_scaffolder_evidence';
/** Where knex records the module's migrations, apart from the scaffolder's. */
export const OPS_ACTIONS_MIGRATIONS_TABLE = 'ops_scaffolder_migrations';
