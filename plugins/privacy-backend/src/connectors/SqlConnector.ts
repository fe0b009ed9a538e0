import { REGIONS, type Region } from '@internal/plugin-privacy-common';
import type DataLoader from 'dataloader';
import knexFactory, { type Knex } from 'knex';
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { type DataSourceConnector, REDACTED } from './types';
import { parseConnectionConfig } from './validation';
import { batchPerTurn } from '@internal/plugin-ops-node';

/**
 * A relational database (PostgreSQL or SQLite) holding personal data in known
 * tables, each with a column naming the subject.
 *
 * Table and column names come from config and are checked against a strict
 * identifier pattern before any query is built; values are always bound.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** A table, optionally qualified by its schema: `users` or `public.users`. */
const TABLE_NAME =
  /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

const columnName = z
  .string()
  .regex(IDENTIFIER, 'must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*)');

const sqlTableSchema = z
  .object({
    table: z
      .string()
      .regex(
        TABLE_NAME,
        'must be a SQL identifier, optionally schema-qualified',
      ),
    subjectColumn: columnName,
    erase: z.enum(['delete-row', 'columns']),
    columns: z
      .record(columnName, z.enum(['null', 'hash', 'redact']))
      .optional(),
  })
  .strict()
  .superRefine((table, ctx) => {
    const count = Object.keys(table.columns ?? {}).length;
    if (table.erase === 'columns' && count === 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['columns'],
        message:
          'erase: columns needs at least one column to null, hash or redact',
      });
    }
    if (table.erase === 'delete-row' && count > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['columns'],
        message:
          'columns only apply to erase: columns (delete-row deletes the whole row)',
      });
    }
  });

export const sqlConnectionSchema = z
  .object({
    type: z.literal('sql'),
    region: z.enum(REGIONS),
    client: z.enum(['pg', 'better-sqlite3']),
    connection: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    tables: z.array(sqlTableSchema).min(1),
  })
  .strict();

export type SqlConnectionConfig = z.input<typeof sqlConnectionSchema>;
type SqlTable = z.output<typeof sqlTableSchema>;

export interface SqlConnectorOptions {
  /** Use this client instead of creating one from the config (tests); it is not closed by `close()`. */
  knex?: Knex;
  /**
   * Makes the key of one erasure's `hash` values (tests, to watch it). The
   * default is 32 random bytes; whatever it returns is zeroed when the
   * erasure ends.
   */
  erasureKey?: () => Buffer;
}

/** Bytes of the random key of one erasure's keyed hashes. */
export const ERASURE_KEY_BYTES = 32;

export class SqlConnector implements DataSourceConnector {
  readonly connection: string;
  readonly region: Region;
  readonly #tables: SqlTable[];
  readonly #db: Knex;
  readonly #ownsDb: boolean;
  readonly #erasureKey: () => Buffer;
  /**
   * One reader per configured table. Exports running at the same time ask
   * for their subjects within one turn of the event loop; a reader sends
   * those as one `where <column> in (...)` query and hands each export its
   * own rows (matched as text), instead of one query per export. No
   * caching: every load reads the table afresh.
   */
  readonly #readers: DataLoader<string, Record<string, unknown>[]>[];

  constructor(
    connection: string,
    config: SqlConnectionConfig | unknown,
    options: SqlConnectorOptions = {},
  ) {
    const parsed = parseConnectionConfig(
      connection,
      sqlConnectionSchema,
      config,
    );
    this.connection = connection;
    this.region = parsed.region;
    this.#tables = parsed.tables;
    this.#ownsDb = !options.knex;
    this.#erasureKey =
      options.erasureKey ?? (() => randomBytes(ERASURE_KEY_BYTES));
    this.#db =
      options.knex ??
      knexFactory({
        client: parsed.client,
        connection:
          parsed.client === 'better-sqlite3' &&
          typeof parsed.connection === 'string'
            ? { filename: parsed.connection }
            : (parsed.connection as Knex.StaticConnectionConfig | string),
        useNullAsDefault: parsed.client === 'better-sqlite3',
        pool: { min: 0, max: 2 },
      });
    this.#readers = this.#tables.map(({ table, subjectColumn }) =>
      batchPerTurn<string, Record<string, unknown>[]>(async subjectIds => {
        const rows: Record<string, unknown>[] = await this.#db(table)
          .select('*')
          .whereIn(subjectColumn, [...subjectIds]);
        return subjectIds.map(id =>
          rows.filter(row => String(row[subjectColumn]) === id),
        );
      }),
    );
  }

  async exportSubject(subjectId: string): Promise<Record<string, unknown[]>> {
    const result: Record<string, unknown[]> = {};
    for (const [index, { table }] of this.#tables.entries()) {
      const rows = await this.#readers[index].load(subjectId);
      result[table] = [...(result[table] ?? []), ...rows];
    }
    return result;
  }

  /**
   * Erases all tables in one transaction, in config order (list child tables
   * first). `hash` values are HMAC-SHA256 under a random key made for this
   * erasure alone and zeroed when it ends: nothing can recompute them from an
   * id or an email, and the same subject erased in two stores (or twice)
   * gets unrelated values. Within one erasure the same value gets the same
   * hash, so the erased rows of one subject still group together.
   */
  async eraseSubject(subjectId: string): Promise<{ affected: number }> {
    const key = this.#erasureKey();
    try {
      const hash = (value: unknown) => keyedHashHex(key, value);
      return await this.#db.transaction(async trx => {
        let affected = 0;
        for (const table of this.#tables) {
          affected +=
            table.erase === 'delete-row'
              ? await trx(table.table)
                  .where(table.subjectColumn, subjectId)
                  .del()
              : (await eraseColumns(trx, table, subjectId, hash)) +
                (await eraseIdInColumns(trx, table, subjectId, hash));
        }
        return { affected };
      });
    } finally {
      key.fill(0);
    }
  }

  /**
   * The read-back: rows that still hold the subject id in any declared
   * column, the subject column or a column listed under `columns`, not only
   * the subject key. Declared columns are compared as text, so a column of
   * any type can be checked.
   */
  async countRemaining(subjectId: string): Promise<number> {
    let remaining = 0;
    for (const { table, subjectColumn, columns = {} } of this.#tables) {
      const declared = Object.keys(columns).filter(c => c !== subjectColumn);
      const [row] = await this.#db(table)
        .where(query => {
          query.where(subjectColumn, subjectId);
          for (const column of declared) {
            query.orWhereRaw('CAST(?? AS TEXT) = ?', [column, subjectId]);
          }
        })
        .count({ n: '*' });
      remaining += Number(row?.n ?? 0);
    }
    return remaining;
  }

  async close(): Promise<void> {
    if (this.#ownsDb) {
      await this.#db.destroy();
    }
  }
}

type Hash = (value: unknown) => string;

/**
 * Nulls, redacts or hashes (keyed, see eraseSubject) the listed columns of
 * the subject's rows, and replaces the subject column itself (hashed unless
 * listed otherwise).
 *
 * Hashes are computed in JS (same result on SQLite and PostgreSQL), one UPDATE
 * per distinct combination of values of the hashed columns. Every UPDATE also
 * rewrites the subject column, so an updated row no longer matches
 * `subjectColumn = subjectId` and is never hashed twice.
 */
async function eraseColumns(
  trx: Knex.Transaction,
  { table, subjectColumn, columns = {} }: SqlTable,
  subjectId: string,
  hash: Hash,
): Promise<number> {
  const strategies = { [subjectColumn]: 'hash' as const, ...columns };

  const fixed: Record<string, unknown> = {};
  const hashed: string[] = [];
  for (const [column, strategy] of Object.entries(strategies)) {
    if (strategy === 'null') {
      fixed[column] = null;
    } else if (strategy === 'redact') {
      fixed[column] = REDACTED;
    } else if (column === subjectColumn) {
      fixed[column] = hash(subjectId);
    } else {
      hashed.push(column);
    }
  }

  if (hashed.length === 0) {
    return trx(table).where(subjectColumn, subjectId).update(fixed);
  }

  const combinations: Array<Record<string, unknown>> = await trx(table)
    .distinct(hashed)
    .where(subjectColumn, subjectId);
  let affected = 0;
  for (const values of combinations) {
    const query = trx(table).where(subjectColumn, subjectId);
    const update = { ...fixed };
    for (const column of hashed) {
      const value = values[column];
      if (value === null || value === undefined) {
        query.whereNull(column);
        update[column] = null;
      } else {
        query.where(column, value as Knex.Value);
        update[column] = hash(value);
      }
    }
    affected += await query.update(update);
  }
  return affected;
}

/**
 * The subject id found in a declared column of a row that is not the
 * subject's own (another customer's order naming them, say): that column is
 * erased there too, with its own strategy, so the read-back that looks in
 * every declared column finds nothing.
 */
async function eraseIdInColumns(
  trx: Knex.Transaction,
  { table, subjectColumn, columns = {} }: SqlTable,
  subjectId: string,
  hash: Hash,
): Promise<number> {
  const declared = Object.entries(columns).filter(
    ([column]) => column !== subjectColumn,
  );
  if (declared.length === 0) return 0;
  const [row] = await trx(table)
    .where(query => {
      for (const [column] of declared) {
        query.orWhereRaw('CAST(?? AS TEXT) = ?', [column, subjectId]);
      }
    })
    .count({ n: '*' });
  const rows = Number(row?.n ?? 0);
  if (rows === 0) return 0;
  for (const [column, strategy] of declared) {
    let value: unknown = null;
    if (strategy === 'redact') value = REDACTED;
    else if (strategy === 'hash') value = hash(subjectId);
    await trx(table)
      .whereRaw('CAST(?? AS TEXT) = ?', [column, subjectId])
      .update({ [column]: value });
  }
  return rows;
}

/**
 * Hex HMAC-SHA256 of a column value under `key`: bytes as such, dates as
 * ISO, objects as JSON, anything else as text.
 */
export function keyedHashHex(key: Buffer, value: unknown): string {
  const mac = createHmac('sha256', key);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    mac.update(value);
  } else if (value instanceof Date) {
    mac.update(value.toISOString(), 'utf8');
  } else if (typeof value === 'object' && value !== null) {
    mac.update(JSON.stringify(value), 'utf8');
  } else {
    mac.update(String(value), 'utf8');
  }
  return mac.digest('hex');
}
