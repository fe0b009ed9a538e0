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
    table
      .string('subject_hash', 64)
      .notNullable()
      .comment('keyed HMAC of the subject id, for lookups without the id');
    table.text('subject_enc').notNullable().comment('subject id, AES-256-GCM');
    table.text('email_enc').nullable().comment('subject email, AES-256-GCM');
    table.string('region', 8).notNullable();
    table.string('jurisdiction', 16).notNullable();
    table.integer('priority').notNullable();
    table.string('requester', 255).notNullable();
    table.string('approved_by', 255).nullable();
    table.string('idempotency_key', 255).nullable().unique();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('completed_at', { useTz: true }).nullable();
    table.timestamp('sla_due_at', { useTz: true }).notNullable();
    table.timestamp('legal_due_at', { useTz: true }).notNullable();
    table.text('extension_reason').nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('last_error').nullable();
    table.boolean('demo').notNullable().defaultTo(false);
    table.index(['state', 'created_at'], 'privacy_requests_state_idx');
    table.index(['subject_hash', 'type'], 'privacy_requests_subject_idx');
    table.index(['created_at'], 'privacy_requests_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('privacy_requests');
};
