// @ts-check
// Drill runs: the run, its participants, the steps and checkpoints copied
// from the runbook at start (a run keeps its checklist when the runbook
// changes later), notes, attachment metadata, action items, the calendar
// overrides, and the shared audit chain and outbox tables.
const {
  createAuditChainTables,
  createOutboxTable,
  dropAuditChainTables,
  dropOutboxTable,
} = require('@internal/plugin-ops-node');

const AUDIT = {
  events: 'drills_audit_events',
  pending: 'drills_audit_pending',
};

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // The first table was a sketch that nothing wrote.
  await knex.schema.dropTable('drill_runs');

  await knex.schema.createTable('drill_runs', table => {
    // No quote marks in comments: knex does not escape them.
    table.comment(
      'Runs of drill scenarios; the scenario is copied in at start (steps and checkpoints)',
    );
    table.string('id', 36).primary();
    table.string('scenario_id', 255).notNullable();
    table.string('title', 500).notNullable();
    table
      .string('calendar_month', 7)
      .nullable()
      .comment('YYYY-MM of the calendar drill this run is; null when ad hoc');
    table
      .string('state', 16)
      .notNullable()
      .checkIn(['running', 'finished', 'aborted'], 'drill_runs_state_check');
    table.string('lead', 255).notNullable().comment('entity ref of the lead');
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.timestamp('aborted_at', { useTz: true }).nullable();
    table.text('abort_reason').nullable();
    table
      .string('ended_by', 255)
      .nullable()
      .comment('who finished or aborted the run');
    table.text('report_markdown').nullable();
    table.string('created_by', 255).notNullable();
    table.index(['started_at'], 'drill_runs_started_idx');
    table.index(['scenario_id', 'started_at'], 'drill_runs_scenario_idx');
    table.index(['state', 'finished_at'], 'drill_runs_state_finished_idx');
  });
  // One calendar drill per month: a second run for the month is refused
  // unless the first was aborted (the same statement on both databases).
  await knex.raw(
    `CREATE UNIQUE INDEX drill_runs_month_uq ON drill_runs (calendar_month) WHERE calendar_month IS NOT NULL AND state <> 'aborted'`,
  );

  await knex.schema.createTable('drill_participants', table => {
    table.comment('Who takes part in a run, and in which role');
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('drill_runs')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table
      .string('role', 16)
      .notNullable()
      .checkIn(
        ['lead', 'coordinator', 'observer', 'scribe'],
        'drill_participants_role_check',
      );
    table.timestamp('added_at', { useTz: true }).notNullable();
    table.primary(['run_id', 'entity_ref'], 'drill_participants_pk');
  });

  await knex.schema.createTable('drill_steps', table => {
    table.comment(
      'The checklist of a run, copied from the runbook at start; versioned per step',
    );
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('drill_runs')
      .onDelete('CASCADE');
    table.string('step_id', 255).notNullable();
    table.string('phase', 64).notNullable();
    table.integer('position').notNullable();
    table.text('text').notNullable();
    table.boolean('checked').notNullable().defaultTo(false);
    table
      .integer('version')
      .notNullable()
      .defaultTo(0)
      .comment('raised by one on every change; a write names the one it read');
    table.string('updated_by', 255).nullable();
    table.timestamp('updated_at', { useTz: true }).nullable();
    table.primary(['run_id', 'step_id'], 'drill_steps_pk');
  });

  await knex.schema.createTable('drill_step_notes', table => {
    table.comment('Notes written against a step of a run');
    table.string('id', 36).primary();
    table.string('run_id', 36).notNullable();
    table.string('step_id', 255).notNullable();
    table.string('author', 255).notNullable();
    table.text('text').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table
      .foreign(['run_id', 'step_id'], 'drill_step_notes_step_fk')
      .references(['run_id', 'step_id'])
      .inTable('drill_steps')
      .onDelete('CASCADE');
    table.index(['run_id', 'created_at'], 'drill_step_notes_run_idx');
  });

  await knex.schema.createTable('drill_step_attachments', table => {
    table.comment(
      'Files attached to a step of a run: metadata here, the bytes in the blob store',
    );
    table.string('id', 36).primary();
    table.string('run_id', 36).notNullable();
    table.string('step_id', 255).notNullable();
    table.string('blob_key', 255).notNullable();
    table.string('file_name', 255).notNullable();
    table.string('media_type', 255).notNullable();
    table.bigInteger('size_bytes').notNullable();
    table.string('sha256', 64).notNullable();
    table.string('uploaded_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table
      .foreign(['run_id', 'step_id'], 'drill_step_attachments_step_fk')
      .references(['run_id', 'step_id'])
      .inTable('drill_steps')
      .onDelete('CASCADE');
    table.index(['run_id', 'created_at'], 'drill_step_attachments_run_idx');
  });

  await knex.schema.createTable('drill_checkpoints', table => {
    table.comment(
      'Timed checkpoints of a run, copied from the runbook at start; reached once',
    );
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('drill_runs')
      .onDelete('CASCADE');
    table.string('checkpoint_id', 255).notNullable();
    table.string('title', 500).notNullable();
    table.string('phase', 64).notNullable();
    table
      .integer('target_minutes')
      .notNullable()
      .comment('minutes from the start of the run');
    table.integer('position').notNullable();
    table.timestamp('reached_at', { useTz: true }).nullable();
    table.string('reached_by', 255).nullable();
    table.primary(['run_id', 'checkpoint_id'], 'drill_checkpoints_pk');
  });

  await knex.schema.createTable('drill_action_items', table => {
    table.comment('Follow-up work a run found, with an owner and a due date');
    table.string('id', 36).primary();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('drill_runs')
      .onDelete('CASCADE');
    table.string('title', 500).notNullable();
    table.string('owner', 255).notNullable().comment('entity ref');
    table.string('due_date', 10).nullable().comment('YYYY-MM-DD');
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['run_id', 'created_at'], 'drill_action_items_run_idx');
  });

  await knex.schema.createTable('drill_calendar_overrides', table => {
    table.comment(
      'Changes to the computed monthly calendar (skip, swap, reschedule), with a reason: an append-only log, applied in order',
    );
    table.string('id', 36).primary();
    table.string('month', 7).notNullable().comment('YYYY-MM');
    table
      .string('kind', 16)
      .notNullable()
      .checkIn(
        ['skip', 'swap', 'reschedule'],
        'drill_calendar_overrides_kind_check',
      );
    table
      .string('scenario_id', 255)
      .nullable()
      .comment('the scenario run instead (swap)');
    table
      .string('date', 10)
      .nullable()
      .comment('YYYY-MM-DD the drill moves to (reschedule)');
    table
      .string('start_time', 5)
      .nullable()
      .comment('HH:mm local start time (reschedule)');
    table.text('reason').notNullable();
    table.string('recorded_by', 255).notNullable();
    table.timestamp('recorded_at', { useTz: true }).notNullable();
    table.index(['month', 'recorded_at'], 'drill_calendar_overrides_month_idx');
  });

  await createOutboxTable(knex, 'drills_outbox');
  await createAuditChainTables(knex, AUDIT);
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await dropAuditChainTables(knex, AUDIT);
  await dropOutboxTable(knex, 'drills_outbox');
  await knex.schema.dropTable('drill_calendar_overrides');
  await knex.schema.dropTable('drill_action_items');
  await knex.schema.dropTable('drill_checkpoints');
  await knex.schema.dropTable('drill_step_attachments');
  await knex.schema.dropTable('drill_step_notes');
  await knex.schema.dropTable('drill_steps');
  await knex.schema.dropTable('drill_participants');
  await knex.schema.dropTable('drill_runs');
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
