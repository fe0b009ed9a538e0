import type { Knex } from 'knex';
import { isPostgres } from '../database';

/** The two tables of one audit chain: the chain itself and its pending rows. */
export interface AuditChainTables {
  /** Append-only, hash-chained rows, e.g. `slo_audit_events`. */
  events: string;
  /** Events committed with their change but not chained yet, e.g. `slo_audit_pending`. */
  pending: string;
}

const appendOnlyFunction = (tables: AuditChainTables) =>
  `${tables.events}_append_only`;

/**
 * Creates a chain's tables; call it from the plugin's own knex migration.
 * On PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE on the chain.
 */
export async function createAuditChainTables(
  knex: Knex,
  tables: AuditChainTables,
): Promise<void> {
  await knex.schema.createTable(tables.events, table => {
    table.comment(
      'Tamper-evident audit log: append-only, each row hash-chained to the previous one',
    );
    table.bigIncrements('seq');
    table.string('record_id', 64).nullable();
    table.string('type', 64).notNullable();
    table.string('actor', 255).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('data').notNullable().comment('Canonical JSON');
    table
      .string('key_id', 64)
      .notNullable()
      .comment('The audit key that signed the row');
    table.string('prev_hash', 64).notNullable();
    table.string('hash', 64).notNullable().unique().comment('HMAC-SHA256');
    table.index(['record_id'], `${tables.events}_record_idx`);
  });
  await knex.schema.createTable(tables.pending, table => {
    table.comment(
      `Audit events committed with their change but not yet chained into ${tables.events}`,
    );
    table.bigIncrements('id');
    table.string('record_id', 64).nullable();
    table.string('type', 64).notNullable();
    table.string('actor', 255).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('data').notNullable().comment('Canonical JSON');
    table.string('key_id', 64).notNullable();
    table
      .string('mac', 64)
      .notNullable()
      .comment('HMAC-SHA256 of the row, set at write');
  });
  if (isPostgres(knex)) {
    await addAppendOnlyTrigger(knex, tables.events, appendOnlyFunction(tables));
  }
}

/** Drops what `createAuditChainTables` created. */
export async function dropAuditChainTables(
  knex: Knex,
  tables: AuditChainTables,
): Promise<void> {
  await knex.schema.dropTable(tables.pending);
  await knex.schema.dropTable(tables.events);
  if (isPostgres(knex)) {
    await knex.raw(`DROP FUNCTION IF EXISTS ??()`, [
      appendOnlyFunction(tables),
    ]);
  }
}

/**
 * On PostgreSQL: makes `table` refuse UPDATE, DELETE and TRUNCATE with the
 * error `<table> is append-only`, through triggers calling `functionName`.
 * The triggers stop the application and mistakes; an owner of the table can
 * still disable them, which is why the application should not own it (see
 * the least-privilege role in the ops-node README) and why rows are signed.
 */
export async function addAppendOnlyTrigger(
  knex: Knex,
  table: string,
  functionName: string,
): Promise<void> {
  await knex.raw(
    `CREATE OR REPLACE FUNCTION ??() RETURNS trigger AS $$
     BEGIN
       RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
     END;
     $$ LANGUAGE plpgsql`,
    [functionName],
  );
  await knex.raw(
    `CREATE TRIGGER ?? BEFORE UPDATE OR DELETE ON ?? FOR EACH ROW EXECUTE FUNCTION ??()`,
    [`${table}_append_only`, table, functionName],
  );
  await addTruncateTrigger(knex, table, functionName);
}

/** On PostgreSQL: makes `table` refuse TRUNCATE, through `functionName`. */
export async function addTruncateTrigger(
  knex: Knex,
  table: string,
  functionName: string,
): Promise<void> {
  await knex.raw(
    `CREATE TRIGGER ?? BEFORE TRUNCATE ON ?? FOR EACH STATEMENT EXECUTE FUNCTION ??()`,
    [`${table}_no_truncate`, table, functionName],
  );
}
