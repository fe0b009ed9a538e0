// @ts-check

/** States a request never leaves: kept in step with FINAL_STATES. */
const FINAL_STATES = "('completed', 'canceled')";

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('privacy_audit_pending', table => {
    table.comment(
      'Audit events committed with their transaction but not yet chained; AuditLog.chainPending moves them into privacy_audit_events in batches',
    );
    table.bigIncrements('id');
    table.string('request_id', 36).nullable();
    table.string('type', 64).notNullable();
    table.string('actor', 255).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('data').notNullable().comment('Canonical JSON');
  });

  // At most one open request per type, subject and region: the database
  // itself turns a concurrent duplicate into a conflict that intake answers
  // with the open request. Same syntax on PostgreSQL and SQLite.
  await knex.raw(`
    CREATE UNIQUE INDEX privacy_requests_open_idx
    ON privacy_requests (type, subject_hash, region)
    WHERE state NOT IN ${FINAL_STATES}
  `);
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX privacy_requests_open_idx');
  await knex.schema.dropTable('privacy_audit_pending');
};
