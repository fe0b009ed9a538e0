// @ts-check

/** Both tables are append-only; on PostgreSQL a trigger enforces it. */
const TABLES = ['privacy_audit_events', 'privacy_consent_events'];
const FUNCTION = 'privacy_audit_append_only';

/** @param {import('knex').Knex} knex */
const isPostgres = knex => {
  const client = knex.client.config.client;
  return client === 'pg' || client === 'postgres' || client === 'postgresql';
};

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('privacy_audit_events', table => {
    table.comment(
      'Tamper-evident audit log: append-only, each row hash-chained to the previous one',
    );
    table.bigIncrements('seq');
    table.string('request_id', 36).nullable();
    table.string('type', 64).notNullable();
    table.string('actor', 255).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('data').notNullable().comment('Canonical JSON');
    table.string('prev_hash', 64).notNullable();
    table.string('hash', 64).notNullable().unique();
    table.index(['request_id'], 'privacy_audit_events_request_idx');
  });

  await knex.schema.createTable('privacy_consent_events', table => {
    table.comment(
      'Consent ledger: every grant or withdrawal, never updated in place',
    );
    table.bigIncrements('seq');
    table
      .string('subject_hash', 64)
      .notNullable()
      .comment('Keyed hash of the subject id, never the raw id');
    table.string('purpose', 64).notNullable();
    table.boolean('granted').notNullable();
    table.string('source', 100).notNullable();
    table.string('actor', 255).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.index(['subject_hash'], 'privacy_consent_events_subject_idx');
  });

  if (isPostgres(knex)) {
    await knex.raw(`
      CREATE OR REPLACE FUNCTION ${FUNCTION}() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'privacy audit tables are append-only';
      END;
      $$ LANGUAGE plpgsql
    `);
    for (const table of TABLES) {
      await knex.raw(`
        CREATE TRIGGER ${table}_append_only
        BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ${FUNCTION}()
      `);
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (isPostgres(knex)) {
    for (const table of TABLES) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`);
    }
    await knex.raw(`DROP FUNCTION IF EXISTS ${FUNCTION}()`);
  }
  await knex.schema.dropTable('privacy_consent_events');
  await knex.schema.dropTable('privacy_audit_events');
};
