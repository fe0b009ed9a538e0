// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('slo_objectives', table => {
    table.comment(
      'Service level objectives, one row per objective of a catalog entity',
    );
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('name', 255).notNullable();
    table.double('target').notNullable().comment('e.g. 0.999');
    table.integer('window_days').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'name'], {
      indexName: 'slo_objectives_entity_name_uq',
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('slo_objectives');
};
