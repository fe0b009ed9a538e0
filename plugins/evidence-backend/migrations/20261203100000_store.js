// @ts-check
// The evidence store: items (append-only, refused deletion before retention),
// their points, collector runs, exceptions, binders, the blob intents that
// keep files and rows together, and the shared audit chain.
const {
  createAuditChainTables,
  dropAuditChainTables,
} = require('@internal/plugin-ops-node');

const AUDIT = {
  events: 'evidence_audit_events',
  pending: 'evidence_audit_pending',
};

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // The first table was a sketch that nothing filled.
  await knex.schema.dropTable('evidence_items');

  await knex.schema.createTable('evidence_items', table => {
    // No quote marks in comments: knex does not escape them.
    table.comment(
      'SOC 2 evidence metadata, append-only; the file is a content-addressed blob',
    );
    table.string('id', 36).primary();
    table.string('type', 100).notNullable();
    table.string('title', 500).notNullable();
    table.string('collector', 100).nullable();
    table.string('run_id', 36).nullable();
    table.string('entity_ref', 255).nullable();
    table.timestamp('period_start', { useTz: true }).notNullable();
    table.timestamp('period_end', { useTz: true }).notNullable();
    table.timestamp('collected_at', { useTz: true }).notNullable();
    table.string('filed_by', 255).notNullable();
    table.string('sha256', 64).notNullable();
    table.bigInteger('size_bytes').notNullable();
    table.string('media_type', 255).notNullable();
    table.string('file_name', 255).notNullable();
    table.string('blob_key', 255).notNullable();
    table.string('cadence', 16).notNullable();
    table.timestamp('retain_until', { useTz: true }).notNullable();
    table.boolean('legal_hold').notNullable().defaultTo(false);
    table.text('summary').notNullable().defaultTo('{}');
    table.index(['type', 'collected_at'], 'evidence_items_type_idx');
    table.index(['entity_ref', 'collected_at'], 'evidence_items_entity_idx');
    table.index(['run_id'], 'evidence_items_run_idx');
    table.index(['collected_at'], 'evidence_items_collected_idx');
  });

  await knex.schema.createTable('evidence_item_points', table => {
    table.comment('Which points each evidence item supports');
    table
      .string('item_id', 36)
      .notNullable()
      .references('id')
      .inTable('evidence_items')
      .onDelete('CASCADE');
    table.string('point', 16).notNullable();
    table.timestamp('period_end', { useTz: true }).notNullable();
    table.primary(['item_id', 'point']);
    table.index(['point', 'period_end'], 'evidence_item_points_point_idx');
  });

  await knex.schema.createTable('evidence_blob_intents', table => {
    table.comment(
      'A blob being written for a row not yet committed; swept at start so no blob outlives a crash without its row',
    );
    table.string('blob_key', 255).primary();
    table.timestamp('created_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('evidence_collector_runs', table => {
    table.comment('Every collector run: its outcome, log and how much it filed');
    table.string('id', 36).primary();
    table.string('collector', 100).notNullable();
    table.string('trigger', 16).notNullable();
    table.string('entity_ref', 255).nullable();
    table.string('requested_by', 255).notNullable();
    table.string('state', 16).notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.integer('item_count').notNullable().defaultTo(0);
    table.text('error').nullable();
    table.text('log').notNullable().defaultTo('');
    table.index(['collector', 'started_at'], 'evidence_runs_collector_idx');
    table.index(['started_at'], 'evidence_runs_started_idx');
  });

  await knex.schema.createTable('evidence_exceptions', table => {
    table.comment(
      'Points knowingly not covered, with a reason, an approver and an expiry',
    );
    table.string('id', 36).primary();
    table.string('point', 16).notNullable();
    table.text('reason').notNullable();
    table.string('approver', 255).notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true }).nullable();
    table.index(['point', 'expires_at'], 'evidence_exceptions_point_idx');
  });

  await knex.schema.createTable('evidence_binders', table => {
    table.comment('Binders for the auditor, built in the background');
    table.string('id', 36).primary();
    table.timestamp('period_start', { useTz: true }).notNullable();
    table.timestamp('period_end', { useTz: true }).notNullable();
    table.text('points').notNullable().comment('JSON array of point ids');
    table.string('state', 16).notNullable();
    table.integer('files_done').notNullable().defaultTo(0);
    table.integer('files_total').notNullable().defaultTo(0);
    table.bigInteger('bytes_done').notNullable().defaultTo(0);
    table.bigInteger('bytes_total').notNullable().defaultTo(0);
    table.string('blob_key', 255).nullable();
    table.string('sha256', 64).nullable();
    table.bigInteger('size_bytes').nullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.text('error').nullable();
    table.index(['created_at'], 'evidence_binders_created_idx');
  });

  await createAuditChainTables(knex, AUDIT);

  if (knex.client.config.client === 'pg') {
    // The database itself refuses to rewrite evidence, or to delete it before
    // its retention date or under a legal hold. Only the hold may change.
    await knex.raw(`
      CREATE FUNCTION evidence_items_guard() RETURNS trigger AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.legal_hold OR OLD.retain_until > now() THEN
            RAISE EXCEPTION 'evidence % is retained until % (legal hold: %): it cannot be deleted',
              OLD.id, OLD.retain_until, OLD.legal_hold
              USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN OLD;
        END IF;
        IF (to_jsonb(NEW) - 'legal_hold') IS DISTINCT FROM (to_jsonb(OLD) - 'legal_hold') THEN
          RAISE EXCEPTION 'evidence % is append-only: only its legal hold may change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END;
      $$ LANGUAGE plpgsql`);
    await knex.raw(`
      CREATE TRIGGER evidence_items_guard
      BEFORE UPDATE OR DELETE ON evidence_items
      FOR EACH ROW EXECUTE FUNCTION evidence_items_guard()`);
    await knex.raw(`
      CREATE FUNCTION evidence_items_no_truncate() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'evidence_items cannot be truncated'
          USING ERRCODE = 'integrity_constraint_violation';
      END;
      $$ LANGUAGE plpgsql`);
    await knex.raw(`
      CREATE TRIGGER evidence_items_no_truncate
      BEFORE TRUNCATE ON evidence_items
      FOR EACH STATEMENT EXECUTE FUNCTION evidence_items_no_truncate()`);
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS evidence_items_guard ON evidence_items');
    await knex.raw(
      'DROP TRIGGER IF EXISTS evidence_items_no_truncate ON evidence_items',
    );
    await knex.raw('DROP FUNCTION IF EXISTS evidence_items_guard()');
    await knex.raw('DROP FUNCTION IF EXISTS evidence_items_no_truncate()');
  }
  await dropAuditChainTables(knex, AUDIT);
  await knex.schema.dropTable('evidence_binders');
  await knex.schema.dropTable('evidence_exceptions');
  await knex.schema.dropTable('evidence_collector_runs');
  await knex.schema.dropTable('evidence_blob_intents');
  await knex.schema.dropTable('evidence_item_points');
  await knex.schema.dropTable('evidence_items');
  await knex.schema.createTable('evidence_items', table => {
    table.string('id', 36).primary();
    table.string('criterion', 8).notNullable();
    table.string('title', 500).notNullable();
    table.string('source', 255).notNullable();
    table.string('sha256', 64).notNullable();
    table.timestamp('collected_at', { useTz: true }).notNullable();
    table.timestamp('retain_until', { useTz: true }).notNullable();
  });
};
