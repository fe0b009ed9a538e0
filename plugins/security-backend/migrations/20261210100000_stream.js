// @ts-check
// The shared event stream: every replica appends the ECS events a rule could
// match; one detector at a time (a global scheduler task) reads them in id
// order after a persisted cursor through the correlation rules.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('security_stream_events', table => {
    table.comment(
      'ECS events a correlation rule could match, from every replica',
    );
    table.bigIncrements('id').primary();
    table
      .bigInteger('event_at')
      .notNullable()
      .index('security_stream_events_at_idx')
      .comment('@timestamp in epoch ms (retention)');
    table.text('document').notNullable().comment('The ECS document as JSON');
  });
  await knex.schema.createTable('security_stream_cursor', table => {
    table.comment(
      'Where the detector stands in security_stream_events (one row)',
    );
    table.integer('id').primary();
    table.bigInteger('last_id').notNullable();
    table
      .bigInteger('run_at')
      .nullable()
      .comment('Last detector turn, epoch ms');
  });
  await knex('security_stream_cursor').insert({
    id: 1,
    last_id: 0,
    run_at: null,
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('security_stream_cursor');
  await knex.schema.dropTable('security_stream_events');
};
