// @ts-check

/**
 * The audit chain moved to the shared `@internal/plugin-ops-node` library,
 * whose rows name the record an event is about `record_id` (a request here).
 * Note: rows hashed before this migration covered `requestId`; a chain
 * written by an earlier version does not verify after it.
 */
const TABLES = ['privacy_audit_events', 'privacy_audit_pending'];

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  for (const table of TABLES) {
    await knex.schema.alterTable(table, t =>
      t.renameColumn('request_id', 'record_id'),
    );
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const table of TABLES) {
    await knex.schema.alterTable(table, t =>
      t.renameColumn('record_id', 'request_id'),
    );
  }
};
