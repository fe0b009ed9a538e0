// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('evidence_items', table => {
    table.comment('SOC 2 evidence: append-only, content-addressed by SHA-256');
    table.string('id', 36).primary();
    table.string('criterion', 8).notNullable().comment('CC1..CC9');
    table.string('title', 500).notNullable();
    table
      .string('source', 255)
      .notNullable()
      .comment('collector or person that filed it');
    table.string('sha256', 64).notNullable();
    table.timestamp('collected_at', { useTz: true }).notNullable();
    table.timestamp('retain_until', { useTz: true }).notNullable();
    table.index(['criterion', 'collected_at'], 'evidence_items_criterion_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('evidence_items');
};
