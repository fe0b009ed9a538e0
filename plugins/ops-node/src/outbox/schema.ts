import type { Knex } from 'knex';
import { OUTBOX_STATES } from './types';

/** Letters, digits and underscores, starting with a letter: also a safe index name prefix. */
const TABLE_NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** Throws unless `table` is a plain lower-case SQL name of at most 48 characters. */
export function assertOutboxTableName(table: string): void {
  if (!TABLE_NAME.test(table)) {
    throw new TypeError(
      `Invalid outbox table name '${table}': use lower-case letters, digits and underscores (at most 48)`,
    );
  }
}

/**
 * Creates an outbox table. Call it from the plugin's own knex migration,
 * with a table name the plugin owns:
 *
 * ```js
 * const { createOutboxTable, dropOutboxTable } = require('@internal/plugin-ops-node');
 * exports.up = knex => createOutboxTable(knex, 'slo_outbox');
 * exports.down = knex => dropOutboxTable(knex, 'slo_outbox');
 * ```
 *
 * The columns are the contract of `Outbox` and `OutboxWorker`; a later change
 * to them ships as a new helper here, applied by a new migration in each plugin.
 */
export async function createOutboxTable(
  knex: Knex,
  table: string,
): Promise<void> {
  assertOutboxTableName(table);
  await knex.schema.createTable(table, t => {
    t.comment('Outbox: calls to outside systems, delivered at least once');
    t.bigIncrements('id').primary();
    t.string('idempotency_key', 255)
      .notNullable()
      .unique({ indexName: `${table}_key_unique` });
    t.string('target', 255)
      .notNullable()
      .comment('name of the deliverer that handles the row');
    t.text('payload').notNullable().comment('JSON; may hold personal data');
    t.string('state', 16)
      .notNullable()
      .checkIn([...OUTBOX_STATES], `${table}_state_check`)
      .comment('pending | delivered | dead');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.timestamp('locked_until', { useTz: true })
      .nullable()
      .comment('lease of the worker attempting the row');
    t.string('lease_token', 36)
      .nullable()
      .comment('identifies the lease; only its holder records an outcome');
    t.text('last_error').nullable();
    t.integer('last_status').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('delivered_at', { useTz: true }).nullable();
    t.index(['state', 'next_attempt_at'], `${table}_due_idx`);
  });
}

/** Drops an outbox table created by `createOutboxTable` (for a migration's `down`). */
export async function dropOutboxTable(
  knex: Knex,
  table: string,
): Promise<void> {
  assertOutboxTableName(table);
  await knex.schema.dropTableIfExists(table);
}
