// @ts-check
// Tables of the ops scaffolder actions, in the scaffolder plugin's database.
// knex records these migrations in its own table (ops_scaffolder_migrations),
// apart from the scaffolder's.
const {
  createAuditChainTables,
  createOutboxTable,
  dropAuditChainTables,
  dropOutboxTable,
} = require('@internal/plugin-ops-node');

const AUDIT = {
  events: 'ops_scaffolder_audit_events',
  pending: 'ops_scaffolder_audit_pending',
};
const OUTBOX = 'ops_scaffolder_outbox';

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await createAuditChainTables(knex, AUDIT);
  await createOutboxTable(knex, OUTBOX);
  await knex.schema.createTable('ops_scaffolder_evidence', table => {
    table.comment(
      'The evidence item each change record (a rollback) was filed as',
    );
    table.string('change_key', 200).primary();
    table.string('item_id', 64).notNullable();
    table.timestamp('filed_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ops_scaffolder_evidence');
  await dropOutboxTable(knex, OUTBOX);
  await dropAuditChainTables(knex, AUDIT);
};
