import { createHash } from 'node:crypto';
import type {
  AuditEvent,
  AuditVerification,
} from '@internal/plugin-privacy-common';
import type { Page } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import type { AuditAnchor } from './AuditAnchor';

export const AUDIT_TABLE = 'privacy_audit_events';

/** Events committed but not chained yet (see `AuditLog.enqueue`). */
export const PENDING_TABLE = 'privacy_audit_pending';

/** Pending events chained per transaction by `chainPending`. */
const CHAIN_BATCH_SIZE = 1000;

/** The `prevHash` of the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Key of the transaction-scoped PostgreSQL advisory lock that serializes
 * appends, so two appends can never chain onto the same previous row.
 * An arbitrary constant ("priv" in ASCII) shared by every backend replica.
 */
export const AUDIT_APPEND_LOCK_KEY = 0x70726976;

/** Rows read per query by `verify()`. */
const VERIFY_BATCH_SIZE = 1000;

/** What a caller appends to the audit log. */
export interface AuditEntry {
  requestId?: string | null;
  /** e.g. request.received, request.state_changed, export.downloaded, consent.changed */
  type: string;
  /** Entity ref of the user or service that caused the event. */
  actor: string;
  /** Plain JSON details; never a raw subject identifier. */
  data?: Record<string, unknown>;
  /** Defaults to now. Kept at millisecond precision. */
  at?: Date;
}

/** An event ready to be chained: time fixed, data canonical. */
interface PreparedEntry {
  requestId: string | null;
  type: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
}

function prepare(entry: AuditEntry): PreparedEntry {
  const at = new Date(entry.at ? entry.at.getTime() : Date.now());
  if (Number.isNaN(at.getTime())) {
    throw new TypeError('audit event time is not a valid date');
  }
  return {
    at,
    data: JSON.parse(canonicalJson(entry.data ?? {})),
    requestId: entry.requestId ?? null,
    type: entry.type,
    actor: entry.actor,
  };
}

interface PendingRow {
  id: number | string;
  request_id: string | null;
  type: string;
  actor: string;
  at: Date | string | number;
  data: string;
}

interface AuditRow {
  seq: number | string;
  request_id: string | null;
  type: string;
  actor: string;
  at: Date | string | number;
  data: string;
  prev_hash: string;
  hash: string;
}

/** The fields a row's hash covers. */
export interface HashedFields {
  prevHash: string;
  requestId: string | null;
  type: string;
  actor: string;
  /** ISO 8601 with milliseconds, as `Date.prototype.toISOString` writes it. */
  at: string;
  data: unknown;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .map(key => `${JSON.stringify(key)}:${canonical(object[key])}`)
    .join(',')}}`;
}

/**
 * JSON with object keys in a stable (sorted) order at every depth, so the same
 * value always serializes to the same text. Values are first normalized the
 * way `JSON.stringify` does (Dates become ISO text, undefined keys vanish).
 */
export function canonicalJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? 'null' : canonical(JSON.parse(json));
}

/** SHA-256 hex of the canonical serialization of a row's hashed fields. */
export function hashAuditFields(fields: HashedFields): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        prevHash: fields.prevHash,
        requestId: fields.requestId,
        type: fields.type,
        actor: fields.actor,
        at: fields.at,
        data: fields.data,
      }),
    )
    .digest('hex');
}

/** PostgreSQL returns Date, SQLite a number or string: all become ISO text. */
const iso = (value: Date | string | number) => new Date(value).toISOString();

function parseData(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return value;
    }
  } catch {
    // fall through: a row that is not valid JSON fails verify() anyway
  }
  return { unparsable: text };
}

function toEvent(row: AuditRow): AuditEvent {
  return {
    seq: Number(row.seq),
    requestId: row.request_id ?? null,
    type: row.type,
    actor: row.actor,
    at: iso(row.at),
    data: parseData(row.data),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The hash a row should have, or undefined when its data is not JSON. */
function recomputeHash(row: AuditRow): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    return undefined;
  }
  return hashAuditFields({
    prevHash: row.prev_hash,
    requestId: row.request_id ?? null,
    type: row.type,
    actor: row.actor,
    at: iso(row.at),
    data,
  });
}

export function isPostgres(db: Knex): boolean {
  const client = db.client.config?.client;
  return (
    client === 'pg' ||
    client === 'postgres' ||
    client === 'postgresql' ||
    db.client.dialect === 'postgresql'
  );
}

/**
 * The tamper-evident audit log: an append-only table where every row carries
 * the SHA-256 of its own content and of the previous row's hash, so altering,
 * inserting or deleting a row breaks the chain that `verify()` walks. On
 * PostgreSQL a trigger also refuses UPDATE and DELETE.
 */
export class AuditLog {
  private readonly postgres: boolean;

  /** With an `anchor`, the chain's head is also kept outside the database, so truncating its end is detected too. */
  constructor(
    private readonly db: Knex,
    private readonly anchor?: AuditAnchor,
  ) {
    this.postgres = isPostgres(db);
  }

  /**
   * Appends one event, chained at once. With `trx` the event is written in
   * the caller's transaction (and, on PostgreSQL, holds the append lock until
   * it ends, so keep that transaction short; it must be READ COMMITTED, the
   * default). Busy paths use `enqueue` instead.
   */
  async append(entry: AuditEntry, trx?: Knex.Transaction): Promise<AuditEvent> {
    const [event] = await this.appendMany([entry], trx);
    return event;
  }

  /** Appends events in order, chained at once, with one lock and one insert. */
  async appendMany(
    entries: AuditEntry[],
    trx?: Knex.Transaction,
  ): Promise<AuditEvent[]> {
    if (entries.length === 0) return [];
    const prepared = entries.map(prepare);
    const write = async (tx: Knex.Transaction) => {
      await this.#lock(tx, 'wait');
      // What was committed before goes first, so the chain keeps causal order.
      await this.#chainBatches(tx);
      return this.#chain(tx, prepared);
    };
    if (trx) return write(trx);
    const events = await this.db.transaction(write);
    await this.anchorHead();
    return events;
  }

  /**
   * Writes events in the caller's transaction without taking the chain's
   * lock: they commit (or roll back) with it, and `chainPending` links them
   * into the chain shortly after, in commit order. What the request
   * lifecycle uses, so concurrent transactions never queue on one lock.
   * Until chained (normally well under a second), a pending row is not yet
   * covered by a hash.
   */
  async enqueue(entries: AuditEntry[], trx: Knex.Transaction): Promise<void> {
    if (entries.length === 0) return;
    await trx(PENDING_TABLE).insert(
      entries.map(prepare).map(event => ({
        request_id: event.requestId,
        type: event.type,
        actor: event.actor,
        at: event.at,
        data: canonicalJson(event.data),
      })),
    );
  }

  /**
   * Runs `statement` (an insert or update ending in `returning('*')`) and,
   * for every row it returned, enqueues `events` (their `requestId` is the
   * row's id), atomically. On PostgreSQL this is one statement, a
   * data-modifying CTE, with the `before` statements (more inserts/upserts
   * that belong to the same change) as further CTEs: one round trip instead
   * of a transaction's five or six, which is what bounds the executor's
   * throughput. Elsewhere it is a transaction. `eventsById` adds events for
   * one row only, after the shared ones. `fromRow` adds columns of the
   * returned row to each event's data, e.g. `{ attempt: 'attempts' }`.
   * Returns the rows (none when an update matched nothing: no events then).
   */
  async auditedWrite<Row extends { id: string }>(options: {
    statement: Knex.QueryBuilder;
    before?: Knex.QueryBuilder[];
    events: Array<Omit<AuditEntry, 'requestId'>>;
    eventsById?: Record<string, Array<Omit<AuditEntry, 'requestId'>>>;
    fromRow?: Record<string, string>;
  }): Promise<Row[]> {
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
    if (!this.postgres) {
      return this.db.transaction(async tx => {
        for (const query of before) await query.transacting(tx);
        const rows: Row[] = await options.statement.transacting(tx);
        await this.enqueue(
          rows.flatMap(row =>
            events
              .filter(({ id }) => id === null || id === row.id)
              .sort((a, b) => a.position - b.position)
              .map(({ event }) => ({
                ...event,
                requestId: row.id,
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
    const audit = events.length
      ? {
          sql: `audit AS (INSERT INTO ${PENDING_TABLE} (request_id, type, actor, at, data)
            SELECT changed.id, e.type, e.actor, e.at, (e.data::jsonb${rowData})::text
            FROM changed JOIN (VALUES ${events
              .map(() => '(?::text, ?::int, ?, ?, ?::timestamptz, ?)')
              .join(', ')}) AS e(request_id, position, type, actor, at, data)
              ON e.request_id IS NULL OR e.request_id = changed.id
            ORDER BY changed.id, e.position)`,
          bindings: [
            ...fromRow.flatMap(([key, column]) => [key, column]),
            ...events.flatMap(({ id, position, event }) => [
              id,
              position,
              event.type,
              event.actor,
              event.at,
              canonicalJson(event.data),
            ]),
          ],
        }
      : undefined;
    const ctes = audit ? [...parts, audit] : parts;
    const result = await this.db.raw(
      `WITH ${ctes.map(cte => cte.sql).join(', ')} SELECT * FROM changed`,
      ctes.flatMap(cte => cte.bindings),
    );
    return result.rows;
  }

  /**
   * Moves pending events into the chain, oldest first, in batches of
   * 1,000, in one transaction. Returns how many were chained. With `wait: false`
   * it returns 0 at once when another process is chaining (the background
   * chainer); with `wait: true` it waits for it and then drains everything
   * committed so far (reads that must see a whole chain).
   */
  async chainPending(options: { wait: boolean }): Promise<number> {
    // Most turns find nothing: one read, no transaction, no lock.
    if (!(await this.db(PENDING_TABLE).select('id').first())) return 0;
    const chained = await this.db.transaction(async tx =>
      (await this.#lock(tx, options.wait ? 'wait' : 'try'))
        ? this.#chainBatches(tx)
        : 0,
    );
    if (chained > 0) await this.anchorHead();
    return chained;
  }

  /** Writes the committed head to the anchor (throttled unless `force`). */
  async anchorHead(options: { force?: boolean } = {}): Promise<void> {
    if (!this.anchor?.due(options)) return;
    const chain = await this.#chainId();
    const head: Pick<AuditRow, 'seq' | 'hash'> | undefined = await this.db(
      AUDIT_TABLE,
    )
      .select('seq', 'hash')
      .orderBy('seq', 'desc')
      .first();
    if (chain && head) {
      await this.anchor.write(chain, {
        seq: Number(head.seq),
        hash: head.hash,
      });
    }
  }

  /** The chain's identity for its anchor: the hash of its first row. */
  async #chainId(): Promise<string | undefined> {
    const first: Pick<AuditRow, 'hash'> | undefined = await this.db(AUDIT_TABLE)
      .select('hash')
      .orderBy('seq', 'asc')
      .first();
    return first?.hash;
  }

  /** Chains every pending event visible to `tx`, oldest first; the lock is held. */
  async #chainBatches(tx: Knex.Transaction): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: PendingRow[] = await tx(PENDING_TABLE)
        .orderBy('id', 'asc')
        .limit(CHAIN_BATCH_SIZE);
      if (rows.length === 0) return total;
      await this.#chain(
        tx,
        rows.map(row => ({
          requestId: row.request_id ?? null,
          type: row.type,
          actor: row.actor,
          at: new Date(iso(row.at)),
          data: parseData(row.data),
        })),
      );
      await tx(PENDING_TABLE)
        .whereIn(
          'id',
          rows.map(row => row.id),
        )
        .delete();
      total += rows.length;
      if (rows.length < CHAIN_BATCH_SIZE) return total;
    }
  }

  /** Takes the append lock for the transaction (PostgreSQL; SQLite serializes writers itself). */
  async #lock(tx: Knex.Transaction, mode: 'wait' | 'try'): Promise<boolean> {
    if (!this.postgres) return true;
    if (mode === 'wait') {
      await tx.raw(`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK_KEY})`);
      return true;
    }
    const result = await tx.raw(
      `select pg_try_advisory_xact_lock(${AUDIT_APPEND_LOCK_KEY}) as locked`,
    );
    return Boolean(result.rows[0].locked);
  }

  /** Links events onto the chain's head and inserts them; the lock is held. */
  async #chain(
    tx: Knex.Transaction,
    prepared: PreparedEntry[],
  ): Promise<AuditEvent[]> {
    const previous: Pick<AuditRow, 'hash'> | undefined = await tx(AUDIT_TABLE)
      .select('hash')
      .orderBy('seq', 'desc')
      .first();
    let prevHash = previous?.hash ?? GENESIS_HASH;
    const chained = prepared.map(event => {
      const hash = hashAuditFields({
        prevHash,
        requestId: event.requestId,
        type: event.type,
        actor: event.actor,
        at: event.at.toISOString(),
        data: event.data,
      });
      const link = { ...event, prevHash, hash };
      prevHash = hash;
      return link;
    });
    const inserted = await tx(AUDIT_TABLE)
      .insert(
        chained.map(event => ({
          request_id: event.requestId,
          type: event.type,
          actor: event.actor,
          at: event.at,
          data: canonicalJson(event.data),
          prev_hash: event.prevHash,
          hash: event.hash,
        })),
      )
      .returning('seq');
    const seqs = inserted
      .map(row =>
        Number(
          typeof row === 'object' && row !== null
            ? (row as { seq: number | string }).seq
            : row,
        ),
      )
      .sort((a, b) => a - b);
    return chained.map((event, index) => ({
      seq: seqs[index],
      requestId: event.requestId,
      type: event.type,
      actor: event.actor,
      at: event.at.toISOString(),
      data: event.data,
      prevHash: event.prevHash,
      hash: event.hash,
    }));
  }

  /** Every event of one request, oldest first (pending ones chained first). */
  async forRequest(requestId: string): Promise<AuditEvent[]> {
    await this.chainPending({ wait: true });
    const rows: AuditRow[] = await this.db(AUDIT_TABLE)
      .where({ request_id: requestId })
      .orderBy('seq', 'asc');
    return rows.map(toEvent);
  }

  /** Newest first. */
  async list(page: {
    limit: number;
    offset: number;
  }): Promise<Page<AuditEvent>> {
    await this.chainPending({ wait: true });
    const [{ count }] = await this.db(AUDIT_TABLE).count({ count: '*' });
    const rows: AuditRow[] = await this.db(AUDIT_TABLE)
      .orderBy('seq', 'desc')
      .limit(page.limit)
      .offset(page.offset);
    return {
      items: rows.map(toEvent),
      totalCount: Number(count),
      limit: page.limit,
      offset: page.offset,
    };
  }

  /**
   * Chains what is pending, then walks the whole chain in seq order, in batches, and names the first row
   * that does not check out: `broken link` when its prevHash is not the
   * previous row's hash (a row was deleted or inserted before it), `hash
   * mismatch` when its content no longer matches its hash (it was altered).
   * `count` is the number of rows that checked out (all of them when ok).
   * With an anchor, it also fails when the anchored head's row differs or
   * is gone (the end of the chain was cut off).
   */
  async verify(): Promise<AuditVerification> {
    await this.chainPending({ wait: true });
    // Read before the walk: every row the anchor names was committed by then.
    const chain = this.anchor ? await this.#chainId() : undefined;
    const anchored =
      this.anchor && chain ? await this.anchor.read(chain) : undefined;
    let expectedPrev = GENESIS_HASH;
    let lastSeq: number | undefined;
    let count = 0;
    for (;;) {
      const query = this.db(AUDIT_TABLE)
        .orderBy('seq', 'asc')
        .limit(VERIFY_BATCH_SIZE);
      if (lastSeq !== undefined) query.where('seq', '>', lastSeq);
      const rows: AuditRow[] = await query;
      for (const row of rows) {
        const seq = Number(row.seq);
        if (row.prev_hash !== expectedPrev) {
          return { ok: false, count, brokenAt: { seq, reason: 'broken link' } };
        }
        if (recomputeHash(row) !== row.hash) {
          return {
            ok: false,
            count,
            brokenAt: { seq, reason: 'hash mismatch' },
          };
        }
        if (anchored && seq === anchored.seq && row.hash !== anchored.hash) {
          return {
            ok: false,
            count,
            brokenAt: { seq, reason: 'differs from the anchored head' },
          };
        }
        expectedPrev = row.hash;
        lastSeq = seq;
        count += 1;
      }
      if (rows.length < VERIFY_BATCH_SIZE) break;
    }
    if (anchored && (lastSeq ?? 0) < anchored.seq) {
      return {
        ok: false,
        count,
        brokenAt: {
          seq: anchored.seq,
          reason: `missing: the chain ends at ${
            lastSeq ?? 'nothing'
          }, before the head anchored at ${
            anchored.at
          } (rows deleted from its end)`,
        },
      };
    }
    return { ok: true, count };
  }
}
