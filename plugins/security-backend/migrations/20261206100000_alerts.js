// @ts-check
// Security alerts raised by the live correlation rules, their triggering
// events, the plugin's outbox (notifications through the SLO plugin) and
// its audit chain (status changes).
const {
  createAuditChainTables,
  createOutboxTable,
  dropAuditChainTables,
  dropOutboxTable,
} = require('@internal/plugin-ops-node');

const AUDIT = {
  events: 'security_audit_events',
  pending: 'security_audit_pending',
};

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('security_alerts', table => {
    table.comment('Alerts raised by the correlation rules');
    table.string('id', 36).primary();
    table
      .string('dedup_key', 64)
      .notNullable()
      .unique({ indexName: 'security_alerts_dedup_uq' })
      .comment(
        'SHA-256 of the engine dedup key: one alert per rule, key and window',
      );
    table.string('rule_id', 100).notNullable();
    table.string('title', 500).notNullable();
    table
      .string('severity', 16)
      .notNullable()
      .checkIn(
        ['low', 'medium', 'high', 'critical'],
        'security_alerts_severity_check',
      );
    table
      .string('status', 16)
      .notNullable()
      .checkIn(
        ['open', 'acknowledged', 'closed'],
        'security_alerts_status_check',
      );
    table.string('group_by', 100).notNullable();
    table
      .text('group_key')
      .notNullable()
      .comment('an IP or a user ref: personal data');
    table.timestamp('first_at', { useTz: true }).notNullable();
    table.timestamp('last_at', { useTz: true }).notNullable();
    table.timestamp('raised_at', { useTz: true }).notNullable();
    table.integer('count').notNullable();
    table
      .integer('window_seconds')
      .nullable()
      .comment('the rule window when it fired');
    table
      .string('notification', 16)
      .notNullable()
      .checkIn(
        ['pending', 'sent', 'failed', 'off'],
        'security_alerts_notification_check',
      );
    table.string('status_by', 255).nullable();
    table.timestamp('status_at', { useTz: true }).nullable();
    table.text('status_note').nullable();
    table.boolean('demo').notNullable().defaultTo(false);
    table.index(['raised_at', 'id'], 'security_alerts_raised_idx');
    table.index(['status', 'raised_at'], 'security_alerts_status_idx');
    table.index(['rule_id', 'raised_at'], 'security_alerts_rule_idx');
  });

  await knex.schema.createTable('security_alert_events', table => {
    table.comment('The ECS events that triggered an alert, oldest first');
    table
      .string('alert_id', 36)
      .notNullable()
      .references('id')
      .inTable('security_alerts')
      .onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.text('document').notNullable().comment('ECS JSON; personal data');
    table.primary(['alert_id', 'seq']);
  });

  await createOutboxTable(knex, 'security_outbox');
  await createAuditChainTables(knex, AUDIT);
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await dropAuditChainTables(knex, AUDIT);
  await dropOutboxTable(knex, 'security_outbox');
  await knex.schema.dropTable('security_alert_events');
  await knex.schema.dropTable('security_alerts');
};
