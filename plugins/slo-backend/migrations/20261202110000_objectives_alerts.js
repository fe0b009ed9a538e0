// @ts-check
// The shared outbox and audit chain tables come from ops-node, so every
// plugin has the same columns (the backend loads TypeScript, in tests too).
const {
  createAuditChainTables,
  createOutboxTable,
  dropAuditChainTables,
  dropOutboxTable,
} = require('@internal/plugin-ops-node');

const AUDIT = { events: 'slo_audit_events', pending: 'slo_audit_pending' };

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // The first table held only a sketch of an objective; nothing wrote it.
  await knex.schema.dropTable('slo_objectives');
  await knex.schema.createTable('slo_objectives', table => {
    // No quote marks in comments: knex does not escape them.
    table.comment(
      'Objectives found in OpenSLO files (catalog annotations and configured folders), with their latest evaluation',
    );
    table.string('id', 255).primary().comment('the objective id, as in :ref');
    table.string('name', 255).notNullable();
    table.string('display_name', 255).notNullable();
    table.string('service', 255).notNullable();
    table.string('entity_ref', 255).nullable();
    table.string('owner', 255).nullable();
    table.string('system', 255).nullable();
    table.double('target').notNullable();
    table.text('spec').notNullable().comment('JSON: the normalized objective');
    table.text('tiers').notNullable().comment('JSON: resolved alert tiers');
    table.text('source_text').notNullable().comment('the OpenSLO document');
    // The latest evaluation, for listing, filtering and sorting in SQL.
    table.string('state', 16).notNullable().defaultTo('no-data');
    table
      .integer('state_rank')
      .notNullable()
      .defaultTo(0)
      .comment('the state as a number, worst highest, for sorting');
    table.double('budget_remaining').nullable();
    table.double('burn_1h').nullable();
    table.text('status').nullable().comment('JSON: the latest SloStatus');
    table.timestamp('evaluated_at', { useTz: true }).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(['entity_ref'], 'slo_objectives_entity_idx');
    table.index(['owner'], 'slo_objectives_owner_idx');
  });

  await knex.schema.createTable('slo_objective_problems', table => {
    table.comment('Problems found in objective files at the last discovery');
    table.increments('id');
    table.string('file', 1000).notNullable();
    table.integer('line').notNullable();
    table.string('path', 500).notNullable();
    table.text('message').notNullable();
    table.string('entity_ref', 255).nullable();
  });

  await knex.schema.createTable('slo_alerts', table => {
    table.comment(
      'Alert episodes: one row per firing of an (objective, tier), kept after it resolves',
    );
    table.string('id', 36).primary();
    table.string('objective_ref', 255).notNullable();
    table.string('tier', 64).notNullable();
    table.string('severity', 16).notNullable();
    table.string('dedup_key', 330).notNullable();
    table.string('state', 16).notNullable().comment('firing or resolved');
    table.timestamp('fired_at', { useTz: true }).notNullable();
    table.timestamp('resolved_at', { useTz: true }).nullable();
    table.string('acknowledged_by', 255).nullable();
    table.timestamp('acknowledged_at', { useTz: true }).nullable();
    table.text('acknowledged_reason').nullable();
    table.string('silenced_by', 255).nullable();
    table.timestamp('silenced_until', { useTz: true }).nullable();
    table.text('silenced_reason').nullable();
    table
      .text('notified')
      .notNullable()
      .comment('JSON: the targets told it fired, and so told when it resolves');
    table.index(['objective_ref', 'fired_at'], 'slo_alerts_objective_idx');
    table.index(['state'], 'slo_alerts_state_idx');
  });

  await knex.schema.createTable('slo_alert_links', table => {
    table.comment(
      'What a notifier made for an alert at a vendor: an issue key, a message ts, an incident id',
    );
    table.string('alert_id', 36).notNullable();
    table.string('target', 255).notNullable();
    table.string('type', 32).notNullable();
    table.string('external_id', 255).notNullable();
    table.string('url', 1000).nullable();
    table.primary(['alert_id', 'target'], 'slo_alert_links_pk');
  });

  await createOutboxTable(knex, 'slo_outbox');
  await createAuditChainTables(knex, AUDIT);
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await dropAuditChainTables(knex, AUDIT);
  await dropOutboxTable(knex, 'slo_outbox');
  await knex.schema.dropTable('slo_alert_links');
  await knex.schema.dropTable('slo_alerts');
  await knex.schema.dropTable('slo_objective_problems');
  await knex.schema.dropTable('slo_objectives');
  await knex.schema.createTable('slo_objectives', table => {
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('name', 255).notNullable();
    table.double('target').notNullable();
    table.integer('window_days').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'name'], {
      indexName: 'slo_objectives_entity_name_uq',
    });
  });
};
