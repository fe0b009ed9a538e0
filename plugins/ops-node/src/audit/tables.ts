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
 * On PostgreSQL a trigger refuses UPDATE and DELETE on the chain.
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
    table.string('prev_hash', 64).notNullable();
    table.string('hash', 64).notNullable().unique();
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
 * On PostgreSQL: makes `table` refuse UPDATE and DELETE with the error
 * `<table> is append-only`, through a trigger calling `functionName`.
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
}
