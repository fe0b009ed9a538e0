// @ts-check

/**
 * Indexes for what the API filters, sorts and counts by (issue 8, item 14):
 *
 * - `GET /requests` sorts by created_at, sla_due_at, legal_due_at or
 *   priority, each followed by id (pages never overlap): one index per sort,
 *   in that order, so a page is read off the index instead of sorting the
 *   table. `(created_at, id)` replaces the index on created_at alone.
 * - its filters (state, type, region, priority) with the default sort: one
 *   index each, the filter column first (state's existed).
 * - `overdue=true` and the overdue gauge: open requests by sla_due_at, a
 *   partial index of the open rows only.
 * - the SLI window (`GET /metrics/sli`, the published SLI events): requests
 *   completed in a window, or reaching their SLA deadline in it; completed_at
 *   here, sla_due_at above.
 * - consent: a subject's changes in order, and the latest per purpose:
 *   `(subject_hash, purpose, seq)` replaces the index on subject_hash alone.
 *
 * Partial indexes take the same syntax on PostgreSQL and SQLite.
 */

/** States a request never leaves: kept in step with FINAL_STATES. */
const FINAL_STATES = "('completed', 'canceled')";

/** @type {Array<[string, string[]]>} */
const REQUEST_INDEXES = [
  ['privacy_requests_created_id_idx', ['created_at', 'id']],
  ['privacy_requests_sla_due_idx', ['sla_due_at', 'id']],
  ['privacy_requests_legal_due_idx', ['legal_due_at', 'id']],
  ['privacy_requests_priority_idx', ['priority', 'id']],
  ['privacy_requests_type_idx', ['type', 'created_at']],
  ['privacy_requests_region_idx', ['region', 'created_at']],
  ['privacy_requests_priority_created_idx', ['priority', 'created_at']],
  ['privacy_requests_completed_idx', ['completed_at']],
];

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('privacy_requests', table => {
    for (const [name, columns] of REQUEST_INDEXES) {
      table.index(columns, name);
    }
    table.dropIndex(['created_at'], 'privacy_requests_created_idx');
  });
  await knex.raw(`
    CREATE INDEX privacy_requests_overdue_idx
    ON privacy_requests (sla_due_at)
    WHERE state NOT IN ${FINAL_STATES}
  `);
  await knex.schema.alterTable('privacy_consent_events', table => {
    table.index(
      ['subject_hash', 'purpose', 'seq'],
      'privacy_consent_events_subject_purpose_idx',
    );
    table.dropIndex(['subject_hash'], 'privacy_consent_events_subject_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('privacy_consent_events', table => {
    table.index(['subject_hash'], 'privacy_consent_events_subject_idx');
    table.dropIndex(
      ['subject_hash', 'purpose', 'seq'],
      'privacy_consent_events_subject_purpose_idx',
    );
  });
  await knex.raw('DROP INDEX privacy_requests_overdue_idx');
  await knex.schema.alterTable('privacy_requests', table => {
    table.index(['created_at'], 'privacy_requests_created_idx');
    for (const [name, columns] of REQUEST_INDEXES) {
      table.dropIndex(columns, name);
    }
  });
};
