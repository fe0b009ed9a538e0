import type { Knex } from 'knex';
import type { AuditKeyring } from './AuditKeyring';
import { canonicalJson, pendingMessageSql } from './hashing';
import { AuditEntry, PreparedEntry, RowAuditEntry, prepare } from './entries';

/** A change and the audit events of every row it returns. */
export interface AuditedWriteOptions {
  /** An insert or update ending in `returning('*')`. */
  statement: Knex.QueryBuilder;
  /** More statements of the same change, run first. */
  before?: Knex.QueryBuilder[];
  /** Events for every returned row; their `recordId` is the row's id. */
  events: RowAuditEntry[];
  /** Events for one row only, after the shared ones. */
  eventsById?: Record<string, RowAuditEntry[]>;
  /** Columns of the returned row added to each event's data, e.g. `{ attempt: 'attempts' }`. */
  fromRow?: Record<string, string>;
}

/**
 * Runs a change and writes the pending audit events of every row it
 * returned, atomically (see `AuditChain.auditedWrite`): one data-modifying
 * CTE on PostgreSQL, a transaction elsewhere.
 */
export async function auditedWrite<Row extends { id: string }>(
  options: AuditedWriteOptions & {
    db: Knex;
    pendingTable: string;
    postgres: boolean;
    keyring: AuditKeyring;
    enqueue: (entries: AuditEntry[], tx: Knex.Transaction) => Promise<void>;
  },
): Promise<Row[]> {
  const before = options.before ?? [];
  // Events for every row first, then each row's own, in this order.
  const events: Array<{
    id: string | null;
    position: number;
    event: PreparedEntry;
  }> = options.events.map((entry, position) => ({
    id: null,
    position,
    event: prepare(entry),
  }));
  for (const [id, entries] of Object.entries(options.eventsById ?? {})) {
    entries.forEach((entry, i) =>
      events.push({
        id,
        position: options.events.length + i,
        event: prepare(entry),
      }),
    );
  }
  const fromRow = Object.entries(options.fromRow ?? {});
  if (!options.postgres) {
    return options.db.transaction(async tx => {
      for (const query of before) await query.transacting(tx);
      const rows: Row[] = await options.statement.transacting(tx);
      await options.enqueue(
        rows.flatMap(row =>
          events
            .filter(({ id }) => id === null || id === row.id)
            .sort((a, b) => a.position - b.position)
            .map(({ event }) => ({
              ...event,
              recordId: row.id,
              data: {
                ...event.data,
                ...Object.fromEntries(
                  fromRow.map(([key, column]) => [
                    key,
                    (row as Record<string, unknown>)[column],
                  ]),
                ),
              },
            })),
        ),
        tx,
      );
      return rows;
    });
  }
  const parts = [
    ...before.map((query, i) => ({ name: `before_${i}`, query })),
    { name: 'changed', query: options.statement },
  ].map(({ name, query }) => {
    const { sql, bindings } = query.toSQL();
    return { sql: `${name} AS (${sql})`, bindings: [...bindings] };
  });
  const rowData = fromRow.length
    ? ` || jsonb_build_object(${fromRow
        .map(() => '?::text, changed.??')
        .join(', ')})`
    : '';
  const keyId = options.keyring.signingKeyId;
  const pads = options.keyring.pads('pending', keyId);
  // Each pending row's MAC, computed by PostgreSQL from the pads of the
  // pending key (HMAC-SHA256 as two sha256 calls): the row is made here.
  const mac = `encode(sha256(?::bytea || sha256(?::bytea || convert_to(${pendingMessageSql(
    {
      recordId: 'm.record_id',
      type: 'm.type',
      actor: 'm.actor',
      at: 'm.at',
      data: 'm.data',
    },
  )}, 'UTF8'))), 'hex')`;
  const audit = events.length
    ? {
        sql: `audit AS (INSERT INTO ?? (record_id, type, actor, at, data, key_id, mac)
          SELECT m.record_id, m.type, m.actor, m.at::timestamptz, m.data, ?::text, ${mac}
          FROM (SELECT changed.id::text AS record_id, e.type, e.actor, e.at,
                  (e.data::jsonb${rowData})::text AS data, e.position
            FROM changed JOIN (VALUES ${events
              .map(
                () => '(?::text, ?::int, ?::text, ?::text, ?::text, ?::text)',
              )
              .join(', ')}) AS e(record_id, position, type, actor, at, data)
            ON e.record_id IS NULL OR e.record_id = changed.id) AS m
          ORDER BY m.record_id, m.position)`,
        bindings: [
          options.pendingTable,
          keyId,
          pads.outer,
          pads.inner,
          ...fromRow.flatMap(([key, column]) => [key, column]),
          ...events.flatMap(({ id, position, event }) => [
            id,
            position,
            event.type,
            event.actor,
            event.at.toISOString(),
            canonicalJson(event.data),
          ]),
        ],
      }
    : undefined;
  const ctes = audit ? [...parts, audit] : parts;
  const result = await options.db.raw(
    `WITH ${ctes.map(cte => cte.sql).join(', ')} SELECT * FROM changed`,
    ctes.flatMap(cte => cte.bindings),
  );
  return result.rows;
}
