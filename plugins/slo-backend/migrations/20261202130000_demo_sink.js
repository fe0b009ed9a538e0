// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('slo_demo_sink', table => {
    // No quote marks in comments: knex does not escape them.
    table.comment(
      'Demo mode: what each notification target would have sent, instead of sending it',
    );
    table.increments('id');
    table
      .string('idempotency_key', 255)
      .notNullable()
      .unique({ indexName: 'slo_demo_sink_key_uq' })
      .comment('the outbox delivery: a retried delivery is recorded once');
    table
      .string('target', 255)
      .notNullable()
      .comment('the notification target name');
    table
      .string('type', 32)
      .notNullable()
      .comment(
        'the target type: pagerduty, jira, slack, statuspage, backstage',
      );
    table
      .text('request')
      .notNullable()
      .comment('JSON of method, path and body, secrets replaced by ***');
    table.timestamp('received_at', { useTz: true }).notNullable();
    table.index(['received_at'], 'slo_demo_sink_received_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('slo_demo_sink');
};
