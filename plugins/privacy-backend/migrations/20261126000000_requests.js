// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('privacy_requests', table => {
    table.comment(
      'Data subject access requests: one row per export or erasure',
    );
    table.string('id', 36).primary();
    table.string('type', 16).notNullable().comment('export | delete');
    table.string('state', 32).notNullable();
    table.string('subject_id', 200).notNullable();
    table.string('region', 8).notNullable();
    table.string('jurisdiction', 16).notNullable();
    table.integer('priority').notNullable();
    table.string('requester', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('sla_due_at', { useTz: true }).notNullable();
    table.timestamp('legal_due_at', { useTz: true }).notNullable();
    table.index(['state', 'created_at'], 'privacy_requests_state_idx');
    table.index(['subject_id', 'type'], 'privacy_requests_subject_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('privacy_requests');
};
