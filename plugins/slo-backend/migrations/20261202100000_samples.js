// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('slo_sli_minutes', table => {
    // No quote marks in comments: knex does not escape them.
    table.comment(
      'Per-minute SLI counts of an objective: one row per objective and minute, replaced when counts for that minute arrive again',
    );
    table
      .string('objective_ref', 255)
      .notNullable()
      .comment('the objective id (slo_objectives.id), as in the push URL');
    table
      .timestamp('minute', { useTz: true })
      .notNullable()
      .comment('start of the minute, UTC, seconds and milliseconds zero');
    table.bigInteger('good').notNullable();
    table.bigInteger('total').notNullable();
    table
      .string('source', 16)
      .notNullable()
      .comment('where the counts came from: push, prometheus or privacy');
    table.timestamp('updated_at', { useTz: true }).notNullable();
    // The key is also the index of range reads: minutes of one objective
    // between two instants, in order, and the latest minute of one objective.
    table.primary(['objective_ref', 'minute'], 'slo_sli_minutes_pk');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('slo_sli_minutes');
};
