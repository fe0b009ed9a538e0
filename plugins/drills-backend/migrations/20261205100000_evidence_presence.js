// @ts-check
// The evidence item each finished run was filed as, and who has a run open
// now (heartbeats, kept in the database so every replica sees them).

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('drill_evidence_filings', table => {
    table.comment('The evidence plugin item a finished run was filed as');
    table
      .string('run_id', 36)
      .primary()
      .references('id')
      .inTable('drill_runs')
      .onDelete('CASCADE');
    table.string('item_id', 255).notNullable();
    table.timestamp('filed_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('drill_presence', table => {
    table.comment('Who had a run open, by their last heartbeat');
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('drill_runs')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.timestamp('seen_at', { useTz: true }).notNullable();
    table.primary(['run_id', 'entity_ref']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('drill_presence');
  await knex.schema.dropTable('drill_evidence_filings');
};
