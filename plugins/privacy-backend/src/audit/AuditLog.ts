import { createHash } from 'node:crypto';
import type {
  AuditEvent,
  AuditVerification,
} from '@internal/plugin-privacy-common';
import type { Page } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';

export const AUDIT_TABLE = 'privacy_audit_events';

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

function fromRow(row: AuditRow): AuditEvent {
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

  constructor(private readonly db: Knex) {
    this.postgres = isPostgres(db);
  }

  /**
   * Appends one event. With `trx` the event is written in the caller's
   * transaction (and, on PostgreSQL, holds the append lock until it ends, so
   * keep that transaction short; it must be READ COMMITTED, the default).
   */
  async append(entry: AuditEntry, trx?: Knex.Transaction): Promise<AuditEvent> {
    const [event] = await this.appendMany([entry], trx);
    return event;
  }

  /**
   * Appends events in order, chained, with one lock, one read of the chain's
   * head and one insert: what a transaction that writes several events
   * should call once, last, so it holds the append lock for the least time.
   */
  async appendMany(
    entries: AuditEntry[],
    trx?: Knex.Transaction,
  ): Promise<AuditEvent[]> {
    if (entries.length === 0) return [];
    const prepared = entries.map(entry => {
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
    });

    const write = async (tx: Knex.Transaction): Promise<AuditEvent[]> => {
      if (this.postgres) {
        await tx.raw(`select pg_advisory_xact_lock(${AUDIT_APPEND_LOCK_KEY})`);
      }
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
    };

    return trx ? write(trx) : this.db.transaction(write);
  }

  /** Every event of one request, oldest first. */
  async forRequest(requestId: string): Promise<AuditEvent[]> {
    const rows: AuditRow[] = await this.db(AUDIT_TABLE)
      .where({ request_id: requestId })
      .orderBy('seq', 'asc');
    return rows.map(fromRow);
  }

  /** Newest first. */
  async list(page: {
    limit: number;
    offset: number;
  }): Promise<Page<AuditEvent>> {
    const [{ count }] = await this.db(AUDIT_TABLE).count({ count: '*' });
    const rows: AuditRow[] = await this.db(AUDIT_TABLE)
      .orderBy('seq', 'desc')
      .limit(page.limit)
      .offset(page.offset);
    return {
      items: rows.map(fromRow),
      totalCount: Number(count),
      limit: page.limit,
      offset: page.offset,
    };
  }

  /**
   * Walks the whole chain in seq order, in batches, and names the first row
   * that does not check out: `broken link` when its prevHash is not the
   * previous row's hash (a row was deleted or inserted before it), `hash
   * mismatch` when its content no longer matches its hash (it was altered).
   * `count` is the number of rows that checked out (all of them when ok).
   */
  async verify(): Promise<AuditVerification> {
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
        expectedPrev = row.hash;
        lastSeq = seq;
        count += 1;
      }
      if (rows.length < VERIFY_BATCH_SIZE) {
        return { ok: true, count };
      }
    }
  }
}
