// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('privacy_source_results', table => {
    table.comment('What each data source did for a request');
    table.string('request_id', 36).notNullable();
    table
      .string('source', 255)
      .notNullable()
      .comment('entity ref of the Resource');
    table.string('connection', 255).notNullable();
    table.string('status', 16).notNullable().comment('pending | done | failed');
    table.integer('records').notNullable().defaultTo(0);
    table
      .integer('remaining')
      .nullable()
      .comment('erasure: records left after read-back');
    table.text('error').nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.primary(['request_id', 'source']);
  });
  await knex.schema.createTable('privacy_exports', table => {
    table.comment('Encrypted export bundles and their download links');
    table.string('id', 36).primary();
    table.string('request_id', 36).notNullable().unique();
    table.string('location', 1024).notNullable();
    table.string('sha256', 64).notNullable().comment('of the encrypted blob');
    table.bigInteger('size_bytes').notNullable();
    table.string('key_id', 128).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('privacy_legal_holds', table => {
    table.comment('Legal holds: erasure of a held subject waits until release');
    table.string('id', 36).primary();
    table.string('subject_hash', 64).notNullable().index();
    table.text('reason').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('released_at', { useTz: true }).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('privacy_legal_holds');
  await knex.schema.dropTable('privacy_exports');
  await knex.schema.dropTable('privacy_source_results');
};
