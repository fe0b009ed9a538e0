import type {
  AuditEvent,
  AuditVerification,
} from '@internal/plugin-ops-common';
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isPostgres } from '../database';
import type { AuditAnchor, AuditHead } from './AuditAnchor';
import type { AuditKeyring } from './AuditKeyring';
import { GENESIS_HASH, chainMessage, pendingMessage } from './hashing';
import type { AuditChainTables } from './tables';
import { AuditedWriteOptions, auditedWrite } from './auditedWrite';
import {
  AuditEntry,
  PreparedEntry,
  prepare,
  signedPendingRow,
  storedColumns,
} from './entries';

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
  key_id: string;
  mac: string;
}

interface ChainRow extends Omit<PendingRow, 'id' | 'mac'> {
  seq: number | string;
  prev_hash: string;
  hash: string;
}

type Broken = { seq: number; reason: string };

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

/** Whether a pending row carries the MAC its content should have. */
function pendingRowIsAuthentic(row: PendingRow, keyring: AuditKeyring) {
  if (!row.key_id || !keyring.has(row.key_id)) return false;
  const expected = keyring.mac(
    'pending',
    row.key_id,
    pendingMessage({
      recordId: row.record_id ?? null,
      type: row.type,
      actor: row.actor,
      at: iso(row.at),
      data: row.data,
    }),
  );
  return expected === row.mac;
}

/** Why a chained row does not check out, or undefined when it does. */
function checkRow(
  row: ChainRow,
  expectedPrev: string,
  keyring: AuditKeyring,
): string | undefined {
  if (row.prev_hash !== expectedPrev) return 'broken link';
  if (!row.key_id || !keyring.has(row.key_id)) {
    return `signed with an unknown audit key (${row.key_id ?? 'none'})`;
  }
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    return 'hash mismatch';
  }
  const expected = keyring.mac(
    'chain',
    row.key_id,
    chainMessage({
      keyId: row.key_id,
      prevHash: row.prev_hash,
      recordId: row.record_id ?? null,
      type: row.type,
      actor: row.actor,
      at: iso(row.at),
      data,
    }),
  );
  return expected === row.hash ? undefined : 'hash mismatch';
}

/** What an anchored head's MAC covers. */
const anchorMessage = (chain: string, head: Omit<AuditHead, 'mac'>) =>
  JSON.stringify([chain, head.seq, head.hash, head.at, head.keyId]);

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
  /**
   * The keys that sign rows, kept outside the database (`readAuditKeyring`);
   * derived per chain from the events table's name.
   */
  keyring: AuditKeyring;
  /** Keeps the head outside the database, so cutting the chain's end is caught too. */
  anchor?: AuditAnchor;
  /**
   * The chain's fixed name in the anchor store; defaults to the events
   * table. Every replica of a plugin uses the same one.
   */
  chainId?: string;
}

/**
 * A tamper-evident audit log: an append-only table where every row carries
 * an HMAC-SHA256, under a key kept outside the database, of its own content
 * and of the previous row's hash. Altering, inserting or deleting a row
 * breaks the chain that `verify()` walks, and without the key nobody can
 * re-sign it. With an anchor, the head is also kept outside the database, so
 * a cut end or an emptied table is caught. On PostgreSQL triggers also
 * refuse UPDATE, DELETE and TRUNCATE.
 *
 * Busy paths write events as pending rows in their own transaction
 * (`enqueue`, `auditedWrite`), each with its own MAC: no lock is taken, and
 * an `AuditChainer` links them into the chain in commit order shortly after.
 * A pending row whose MAC does not verify is never chained, and `verify()`
 * names it. `append` chains at once.
 */
export class AuditChain {
  readonly #db: Knex;
  readonly #tables: AuditChainTables;
  readonly #anchor?: AuditAnchor;
  readonly #keyring: AuditKeyring;
  readonly #chainId: string;
  readonly #postgres: boolean;
  readonly #lockKey: number;
  /** Pending rows found forged: skipped by every later turn of this process. */
  readonly #forged = new Set<string>();
  readonly #listeners = new Set<(events: AuditEvent[]) => void>();
  /** Emits waiting for a caller's transaction to end. */
  readonly #waiting = new Set<Promise<void>>();

  constructor(options: AuditChainOptions) {
    this.#db = options.db;
    this.#tables = options.tables;
    this.#anchor = options.anchor;
    this.#keyring = options.keyring.forChain(options.tables.events);
    this.#chainId = options.chainId ?? options.tables.events;
    this.#postgres = isPostgres(options.db);
    this.#lockKey = lockKeyOf(options.tables.events);
  }

  /** The chain's name in the anchor store (the events table unless set). */
  get chainId(): string {
    return this.#chainId;
  }

  /**
   * Calls `listener` with the events this process links into the chain, in
   * chain order, once their transaction has committed (never for events that
   * roll back). Returns a function that removes the listener. A listener
   * that throws does not affect the chain.
   */
  onChained(listener: (events: AuditEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #emit(events: AuditEvent[]) {
    if (events.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch {
        // a listener (logging) never breaks the audit trail
      }
    }
  }

  /**
   * After the caller's transaction ends, emits those of `events` that it
   * committed (their rows are there; a rolled-back one's are not).
   */
  #emitAfterCommit(trx: Knex.Transaction, events: AuditEvent[]) {
    if (this.#listeners.size === 0 || events.length === 0) return;
    let outer = trx;
    while (outer.parentTransaction) outer = outer.parentTransaction;
    const settled = outer.executionPromise.then(
      () => undefined,
      () => undefined,
    );
    const done: Promise<void> = settled
      .then(() =>
        this.#db(this.#tables.events)
          .select('hash')
          .whereIn(
            'hash',
            events.map(event => event.hash),
          ),
      )
      .then(
        (rows: Array<{ hash: string }>) => {
          const committed = new Set(rows.map(row => row.hash));
          this.#emit(events.filter(event => committed.has(event.hash)));
        },
        () => undefined,
      )
      .finally(() => this.#waiting.delete(done));
    this.#waiting.add(done);
  }

  /** Resolves once listeners have heard of every event appended in a caller's transaction that has ended. */
  async listenersSettled(): Promise<void> {
    await Promise.all([...this.#waiting]);
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
      const before = await this.#chainBatches(tx);
      return { before, events: await this.#chain(tx, prepared) };
    };
    if (trx) {
      const { before, events } = await write(trx);
      this.#emitAfterCommit(trx, [...before, ...events]);
      return events;
    }
    const { before, events } = await this.#db.transaction(write);
    this.#emit([...before, ...events]);
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
      entries.map(entry => signedPendingRow(prepare(entry), this.#keyring)),
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
      keyring: this.#keyring,
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
    const first: Pick<PendingRow, 'id'> | undefined = await this.#db(
      this.#tables.pending,
    )
      .select('id')
      .whereNotIn('id', [...this.#forged])
      .first();
    if (!first) return 0;
    const chained = await this.#db.transaction(async tx =>
      (await this.#lock(tx, options.wait ? 'wait' : 'try'))
        ? this.#chainBatches(tx)
        : [],
    );
    this.#emit(chained);
    if (chained.length > 0) await this.anchorHead();
    return chained.length;
  }

  /**
   * Writes the committed head to the anchor, signed; runs after every
   * chaining. The head is read after the commit, so the anchor never names
   * a row that is not there for everyone.
   */
  async anchorHead(): Promise<void> {
    if (!this.#anchor) return;
    const head: Pick<ChainRow, 'seq' | 'hash'> | undefined = await this.#db(
      this.#tables.events,
    )
      .select('seq', 'hash')
      .orderBy('seq', 'desc')
      .first();
    if (!head) return;
    const unsigned = {
      seq: Number(head.seq),
      hash: head.hash,
      at: new Date().toISOString(),
      keyId: this.#keyring.signingKeyId,
    };
    await this.#anchor.write(this.#chainId, {
      ...unsigned,
      mac: this.#keyring.mac(
        'anchor',
        unsigned.keyId,
        anchorMessage(this.#chainId, unsigned),
      ),
    });
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
   * its HMAC (it was altered, or re-hashed without the key). `count` is the
   * number of rows that checked out (all of them when ok). With an anchor it
   * also fails when the anchored head's row differs or is gone (the end was
   * cut off, or every row deleted), or the anchor's own MAC is wrong. Last,
   * a pending row that could not be chained because its MAC is wrong (it
   * was forged in the database) fails it too.
   */
  async verify(): Promise<AuditVerification> {
    await this.chainPending({ wait: true });
    // Read before the walk: every row the anchor names was committed by then.
    const anchored = await this.#anchor?.read(this.#chainId);
    if (anchored && !this.#anchorIsAuthentic(anchored)) {
      return {
        ok: false,
        count: 0,
        brokenAt: {
          seq: anchored.seq,
          reason: 'the anchored head is not signed by a known audit key',
        },
      };
    }
    let expectedPrev = GENESIS_HASH;
    let lastSeq: number | undefined;
    let count = 0;
    const broken = (brokenAt: Broken): AuditVerification => ({
      ok: false,
      count,
      brokenAt,
    });
    for (;;) {
      const query = this.#db(this.#tables.events)
        .orderBy('seq', 'asc')
        .limit(VERIFY_BATCH_SIZE);
      if (lastSeq !== undefined) query.where('seq', '>', lastSeq);
      const rows: ChainRow[] = await query;
      for (const row of rows) {
        const seq = Number(row.seq);
        const problem = checkRow(row, expectedPrev, this.#keyring);
        if (problem) return broken({ seq, reason: problem });
        if (anchored && seq === anchored.seq && row.hash !== anchored.hash) {
          return broken({ seq, reason: 'differs from the anchored head' });
        }
        expectedPrev = row.hash;
        lastSeq = seq;
        count += 1;
      }
      if (rows.length < VERIFY_BATCH_SIZE) break;
    }
    if (anchored && (lastSeq ?? 0) < anchored.seq) {
      return broken({
        seq: anchored.seq,
        reason: `missing: the chain ends at ${
          lastSeq ?? 'nothing (no rows)'
        }, before the head anchored at ${
          anchored.at
        } (rows deleted from its end)`,
      });
    }
    const forged = await this.#findForgedPending();
    if (forged !== undefined) {
      return broken({
        seq: (lastSeq ?? 0) + 1,
        reason: `forged pending row ${forged}: its MAC does not verify, so it was not chained`,
      });
    }
    return { ok: true, count };
  }

  #anchorIsAuthentic(head: AuditHead): boolean {
    if (!head.keyId || !this.#keyring.has(head.keyId)) return false;
    const { mac, ...unsigned } = head;
    return (
      mac ===
      this.#keyring.mac(
        'anchor',
        head.keyId,
        anchorMessage(this.#chainId, unsigned),
      )
    );
  }

  /** The id of a pending row whose MAC is wrong, if any (they are never chained). */
  async #findForgedPending(): Promise<string | undefined> {
    let lastId: number | string | undefined;
    for (;;) {
      const query = this.#db(this.#tables.pending)
        .orderBy('id', 'asc')
        .limit(VERIFY_BATCH_SIZE);
      if (lastId !== undefined) query.where('id', '>', lastId);
      const rows: PendingRow[] = await query;
      const forged = rows.find(
        row => !pendingRowIsAuthentic(row, this.#keyring),
      );
      if (forged) return String(forged.id);
      if (rows.length < VERIFY_BATCH_SIZE) return undefined;
      lastId = rows[rows.length - 1].id;
    }
  }

  /**
   * Chains every authentic pending event visible to `tx`, oldest first; the
   * lock is held. Forged rows stay where they are (and `verify()` names them).
   */
  async #chainBatches(tx: Knex.Transaction): Promise<AuditEvent[]> {
    const chained: AuditEvent[] = [];
    let lastId: number | string | undefined;
    for (;;) {
      const query = tx(this.#tables.pending)
        .orderBy('id', 'asc')
        .limit(CHAIN_BATCH_SIZE);
      if (lastId !== undefined) query.where('id', '>', lastId);
      const rows: PendingRow[] = await query;
      if (rows.length === 0) return chained;
      lastId = rows[rows.length - 1].id;
      const authentic = rows.filter(row => {
        if (pendingRowIsAuthentic(row, this.#keyring)) return true;
        this.#forged.add(String(row.id));
        return false;
      });
      if (authentic.length > 0) {
        const events = await this.#chain(
          tx,
          authentic.map(row => ({
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
            authentic.map(row => row.id),
          )
          .delete();
        chained.push(...events);
      }
      if (rows.length < CHAIN_BATCH_SIZE) return chained;
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
    const keyId = this.#keyring.signingKeyId;
    const chained = prepared.map(event => {
      const hash = this.#keyring.mac(
        'chain',
        keyId,
        chainMessage({
          keyId,
          prevHash,
          recordId: event.recordId,
          type: event.type,
          actor: event.actor,
          at: event.at.toISOString(),
          data: event.data,
        }),
      );
      const link = { ...event, prevHash, hash };
      prevHash = hash;
      return link;
    });
    const inserted = await tx(this.#tables.events)
      .insert(
        chained.map(event => ({
          ...storedColumns(event),
          key_id: keyId,
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
