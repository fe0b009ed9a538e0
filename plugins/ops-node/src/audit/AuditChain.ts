import type {
  AuditEvent,
  AuditVerification,
} from '@internal/plugin-ops-common';
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isPostgres } from '../database';
import type { AuditAnchor } from './AuditAnchor';
import { GENESIS_HASH, hashAuditFields } from './hashing';
import type { AuditChainTables } from './tables';
import { AuditedWriteOptions, auditedWrite } from './auditedWrite';
import { AuditEntry, PreparedEntry, pendingRow, prepare } from './entries';

/** Pending events chained per transaction by `chainPending`. */
const CHAIN_BATCH_SIZE = 1000;

/** Rows read per query by `verify()`. */
const VERIFY_BATCH_SIZE = 1000;

interface PendingRow {
  id: number | string;
  record_id: string | null;
  type: string;
  actor: string;
  at: Date | string | number;
  data: string;
}

interface ChainRow extends Omit<PendingRow, 'id'> {
  seq: number | string;
  prev_hash: string;
  hash: string;
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

function toEvent(row: ChainRow): AuditEvent {
  return {
    seq: Number(row.seq),
    recordId: row.record_id ?? null,
    type: row.type,
    actor: row.actor,
    at: iso(row.at),
    data: parseData(row.data),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The hash a row should have, or undefined when its data is not JSON. */
function recomputeHash(row: ChainRow): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    return undefined;
  }
  return hashAuditFields({
    prevHash: row.prev_hash,
    recordId: row.record_id ?? null,
    type: row.type,
    actor: row.actor,
    at: iso(row.at),
    data,
  });
}

/**
 * The key of the transaction-scoped PostgreSQL advisory lock that serializes
 * chaining, derived from the chain's table so two plugins' chains never
 * wait on each other and every replica of one plugin agrees.
 */
function lockKeyOf(table: string): number {
  return createHash('sha256').update(table).digest().readInt32BE(0);
}

export interface AuditChainOptions {
  db: Knex;
  /** The chain's tables, created by `createAuditChainTables` in a migration. */
  tables: AuditChainTables;
  /** Keeps the head outside the database, so cutting the chain's end is caught too. */
  anchor?: AuditAnchor;
}

/**
 * A tamper-evident audit log: an append-only table where every row carries
 * the SHA-256 of its own content and of the previous row's hash, so altering,
 * inserting or deleting a row breaks the chain that `verify()` walks. On
 * PostgreSQL a trigger also refuses UPDATE and DELETE.
 *
 * Busy paths write events as pending rows in their own transaction
 * (`enqueue`, `auditedWrite`): no lock is taken, and an `AuditChainer` links
 * them into the chain in commit order shortly after. `append` chains at once.
 */
export class AuditChain {
  readonly #db: Knex;
  readonly #tables: AuditChainTables;
  readonly #anchor?: AuditAnchor;
  readonly #postgres: boolean;
  readonly #lockKey: number;

  constructor(options: AuditChainOptions) {
    this.#db = options.db;
    this.#tables = options.tables;
    this.#anchor = options.anchor;
    this.#postgres = isPostgres(options.db);
    this.#lockKey = lockKeyOf(options.tables.events);
  }

  /**
   * Appends events in order, chained at once, with one lock and one insert.
   * With `trx` they are written in the caller's transaction (and, on
   * PostgreSQL, hold the chain's lock until it ends, so keep it short; it
   * must be READ COMMITTED, the default). Busy paths use `enqueue` instead.
   */
  async append(
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
    const events = await this.#db.transaction(write);
    await this.anchorHead();
    return events;
  }

  /**
   * Writes events in the caller's transaction without taking the chain's
   * lock: they commit (or roll back) with it, and `chainPending` links them
   * into the chain shortly after, in commit order. Until chained (normally
   * well under a second), a pending row is not yet covered by a hash.
   */
  async enqueue(entries: AuditEntry[], trx: Knex.Transaction): Promise<void> {
    if (entries.length === 0) return;
    await trx(this.#tables.pending).insert(
      entries.map(prepare).map(pendingRow),
    );
  }

  /**
   * Runs `statement` (an insert or update ending in `returning('*')`) and,
   * for every row it returned, enqueues `events` (their `recordId` is the
   * row's id), atomically. On PostgreSQL this is one statement, a
   * data-modifying CTE, with the `before` statements (more inserts/upserts
   * that belong to the same change) as further CTEs: one round trip instead
   * of a transaction's five or six. Elsewhere it is a transaction.
   * `eventsById` adds events for one row only, after the shared ones.
   * `fromRow` adds columns of the returned row to each event's data, e.g.
   * `{ attempt: 'attempts' }`. Returns the rows (none when an update matched
   * nothing: no events then).
   */
  async auditedWrite<Row extends { id: string }>(
    options: AuditedWriteOptions,
  ): Promise<Row[]> {
    return auditedWrite<Row>({
      db: this.#db,
      pendingTable: this.#tables.pending,
      postgres: this.#postgres,
      enqueue: (entries, tx) => this.enqueue(entries, tx),
      ...options,
    });
  }

  /**
   * Moves pending events into the chain, oldest first, in batches, in one
   * transaction. Returns how many were chained. With `wait: false` it returns
   * 0 at once when another process is chaining (the background chainer);
   * with `wait: true` it waits for it and then drains everything committed
   * so far (reads that must see a whole chain).
   */
  async chainPending(options: { wait: boolean }): Promise<number> {
    // Most turns find nothing: one read, no transaction, no lock.
    if (!(await this.#db(this.#tables.pending).select('id').first())) return 0;
    const chained = await this.#db.transaction(async tx =>
      (await this.#lock(tx, options.wait ? 'wait' : 'try'))
        ? this.#chainBatches(tx)
        : 0,
    );
    if (chained > 0) await this.anchorHead();
    return chained;
  }

  /** Writes the committed head to the anchor (throttled unless `force`). */
  async anchorHead(options: { force?: boolean } = {}): Promise<void> {
    if (!this.#anchor?.due(options)) return;
    const chain = await this.#chainId();
    const head: Pick<ChainRow, 'seq' | 'hash'> | undefined = await this.#db(
      this.#tables.events,
    )
      .select('seq', 'hash')
      .orderBy('seq', 'desc')
      .first();
    if (chain && head) {
      await this.#anchor.write(chain, {
        seq: Number(head.seq),
        hash: head.hash,
      });
    }
  }

  /** Every event about one record, oldest first (pending ones chained first). */
  async forRecord(recordId: string): Promise<AuditEvent[]> {
    await this.chainPending({ wait: true });
    const rows: ChainRow[] = await this.#db(this.#tables.events)
      .where({ record_id: recordId })
      .orderBy('seq', 'asc');
    return rows.map(toEvent);
  }

  /**
   * Chains what is pending, then walks the whole chain in seq order, in
   * batches, and names the first row that does not check out: `broken link`
   * when its prevHash is not the previous row's hash (a row was deleted or
   * inserted before it), `hash mismatch` when its content no longer matches
   * its hash (it was altered). `count` is the number of rows that checked
   * out (all of them when ok). With an anchor, it also fails when the
   * anchored head's row differs or is gone (the end of the chain was cut off).
   */
  async verify(): Promise<AuditVerification> {
    await this.chainPending({ wait: true });
    // Read before the walk: every row the anchor names was committed by then.
    const chain = this.#anchor ? await this.#chainId() : undefined;
    const anchored =
      this.#anchor && chain ? await this.#anchor.read(chain) : undefined;
    let expectedPrev = GENESIS_HASH;
    let lastSeq: number | undefined;
    let count = 0;
    for (;;) {
      const query = this.#db(this.#tables.events)
        .orderBy('seq', 'asc')
        .limit(VERIFY_BATCH_SIZE);
      if (lastSeq !== undefined) query.where('seq', '>', lastSeq);
      const rows: ChainRow[] = await query;
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

  /** The chain's identity for its anchor: the hash of its first row. */
  async #chainId(): Promise<string | undefined> {
    const first: Pick<ChainRow, 'hash'> | undefined = await this.#db(
      this.#tables.events,
    )
      .select('hash')
      .orderBy('seq', 'asc')
      .first();
    return first?.hash;
  }

  /** Chains every pending event visible to `tx`, oldest first; the lock is held. */
  async #chainBatches(tx: Knex.Transaction): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: PendingRow[] = await tx(this.#tables.pending)
        .orderBy('id', 'asc')
        .limit(CHAIN_BATCH_SIZE);
      if (rows.length === 0) return total;
      await this.#chain(
        tx,
        rows.map(row => ({
          recordId: row.record_id ?? null,
          type: row.type,
          actor: row.actor,
          at: new Date(iso(row.at)),
          data: parseData(row.data),
        })),
      );
      await tx(this.#tables.pending)
        .whereIn(
          'id',
          rows.map(row => row.id),
        )
        .delete();
      total += rows.length;
      if (rows.length < CHAIN_BATCH_SIZE) return total;
    }
  }

  /** Takes the chain's lock for the transaction (PostgreSQL; SQLite serializes writers itself). */
  async #lock(tx: Knex.Transaction, mode: 'wait' | 'try'): Promise<boolean> {
    if (!this.#postgres) return true;
    if (mode === 'wait') {
      await tx.raw('select pg_advisory_xact_lock(?)', [this.#lockKey]);
      return true;
    }
    const result = await tx.raw(
      'select pg_try_advisory_xact_lock(?) as locked',
      [this.#lockKey],
    );
    return Boolean(result.rows[0].locked);
  }

  /** Links events onto the chain's head and inserts them; the lock is held. */
  async #chain(
    tx: Knex.Transaction,
    prepared: PreparedEntry[],
  ): Promise<AuditEvent[]> {
    const previous: Pick<ChainRow, 'hash'> | undefined = await tx(
      this.#tables.events,
    )
      .select('hash')
      .orderBy('seq', 'desc')
      .first();
    let prevHash = previous?.hash ?? GENESIS_HASH;
    const chained = prepared.map(event => {
      const hash = hashAuditFields({
        prevHash,
        recordId: event.recordId,
        type: event.type,
        actor: event.actor,
        at: event.at.toISOString(),
        data: event.data,
      });
      const link = { ...event, prevHash, hash };
      prevHash = hash;
      return link;
    });
    const inserted = await tx(this.#tables.events)
      .insert(
        chained.map(event => ({
          ...pendingRow(event),
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
      recordId: event.recordId,
      type: event.type,
      actor: event.actor,
      at: event.at.toISOString(),
      data: event.data,
      prevHash: event.prevHash,
      hash: event.hash,
    }));
  }
}
