// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('drill_runs', table => {
    table.comment('Runs of DR drill scenarios (scenarios come from runbooks/)');
    table.string('id', 36).primary();
    table.string('scenario_id', 255).notNullable();
    table.string('state', 32).notNullable();
    table.string('lead', 255).notNullable();
    table.timestamp('scheduled_for', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('completed_at', { useTz: true }).nullable();
    table.index(['scheduled_for'], 'drill_runs_scheduled_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('drill_runs');
};
