// @ts-check

/**
 * The audit chain is signed (HMAC-SHA256 under a key from config, see
 * ops-node's AuditKeyring): each chained row names the key that signed it,
 * and each pending row carries its own MAC, set when it is written. On
 * PostgreSQL the append-only tables also refuse TRUNCATE.
 * Note: rows written before this migration have no key id and do not
 * verify after it (no deployment existed).
 */
const APPEND_ONLY = ['privacy_audit_events', 'privacy_consent_events'];
const FUNCTION = 'privacy_audit_append_only';

/** @param {import('knex').Knex} knex */
const isPostgres = knex => {
  const client = knex.client.config.client;
  return client === 'pg' || client === 'postgres' || client === 'postgresql';
};

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('privacy_audit_events', table => {
    table
      .string('key_id', 64)
      .notNullable()
      .defaultTo('')
      .comment('The audit key that signed the row');
  });
  await knex.schema.alterTable('privacy_audit_pending', table => {
    table.string('key_id', 64).notNullable().defaultTo('');
    table
      .string('mac', 64)
      .notNullable()
      .defaultTo('')
      .comment('HMAC-SHA256 of the row, set at write');
  });
  if (isPostgres(knex)) {
    for (const table of APPEND_ONLY) {
      await knex.raw(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION ${FUNCTION}()`,
      );
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (isPostgres(knex)) {
    for (const table of APPEND_ONLY) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_no_truncate ON ${table}`);
    }
  }
  await knex.schema.alterTable('privacy_audit_pending', table => {
    table.dropColumn('mac');
    table.dropColumn('key_id');
  });
  await knex.schema.alterTable('privacy_audit_events', table => {
    table.dropColumn('key_id');
  });
};
