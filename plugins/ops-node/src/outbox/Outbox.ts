import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Knex } from 'knex';
import { isPostgres } from '../database';
import type { Page } from '../paging';
import { assertOutboxTableName } from './schema';
import type { NewDelivery, OutboxDelivery, OutboxState } from './types';

/** Rows per INSERT, well below SQLite's limit of bound variables. */
const INSERT_CHUNK = 100;

const MAX_KEY_LENGTH = 255;

/** Stored error texts are cut to this length. */
const MAX_ERROR_LENGTH = 1000;

interface OutboxRow {
  id: number | string;
  idempotency_key: string;
  target: string;
  payload: string;
  state: OutboxState;
  attempts: number | string;
  next_attempt_at: Date | string | number;
  locked_until: Date | string | number | null;
  lease_token: string | null;
  last_error: string | null;
  last_status: number | string | null;
  created_at: Date | string | number;
  delivered_at: Date | string | number | null;
}

/** A delivery a worker holds the lease of, as `Outbox.claimDue` returns it. */
export interface ClaimedDelivery {
  delivery: OutboxDelivery;
  /** Identifies this claim; only its holder records the outcome. */
  leaseToken: string;
}

export interface OutboxOptions {
  /** The plugin's database client. */
  db: Knex;
  /** The table the plugin created with `createOutboxTable`. */
  table: string;
  /** Clock for `createdAt` and due times. Default: the system clock. */
  now?: () => Date;
}

/** PostgreSQL returns Date, SQLite a number (or text): all become ISO text. */
const iso = (value: Date | string | number) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | number | null) =>
  value === null || value === undefined ? null : iso(value);

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toDelivery(row: OutboxRow): OutboxDelivery {
  return {
    id: Number(row.id),
    idempotencyKey: row.idempotency_key,
    target: row.target,
    payload: parsePayload(row.payload),
    state: row.state,
    attempts: Number(row.attempts),
    nextAttemptAt: iso(row.next_attempt_at),
    lockedUntil: isoOrNull(row.locked_until),
    lastError: row.last_error ?? null,
    lastStatus:
      row.last_status === null || row.last_status === undefined
        ? null
        : Number(row.last_status),
    createdAt: iso(row.created_at),
    deliveredAt: isoOrNull(row.delivered_at),
  };
}

function validate(delivery: NewDelivery): void {
  const { idempotencyKey, target } = delivery;
  if (
    typeof idempotencyKey !== 'string' ||
    !idempotencyKey ||
    idempotencyKey.length > MAX_KEY_LENGTH
  ) {
    throw new TypeError(
      `An outbox idempotencyKey must be a string of 1-${MAX_KEY_LENGTH} characters`,
    );
  }
  if (typeof target !== 'string' || !target || target.length > 255) {
    throw new TypeError(
      `Outbox delivery '${idempotencyKey}' needs a target of 1-255 characters`,
    );
  }
  if (JSON.stringify(delivery.payload) === undefined) {
    throw new TypeError(
      `Outbox delivery '${idempotencyKey}' needs a JSON payload`,
    );
  }
}

/**
 * A durable outbox in a table the plugin owns (see `createOutboxTable`).
 * `enqueue` writes deliveries in the caller's transaction, so a call to an
 * outside system is made if and only if the change that caused it committed;
 * an `OutboxWorker` then delivers them at least once, each with its
 * idempotency key.
 */
export class Outbox {
  readonly table: string;
  private readonly db: Knex;
  private readonly now: () => Date;

  constructor(options: OutboxOptions) {
    assertOutboxTableName(options.table);
    this.db = options.db;
    this.table = options.table;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Adds deliveries, due at once, inside `trx` (the transaction of the change
   * that causes them; pass the plain client when there is none). A key that
   * exists already, in any state, is skipped. Returns how many were created.
   */
  async enqueue(
    deliveries: NewDelivery[],
    trx: Knex | Knex.Transaction,
  ): Promise<number> {
    deliveries.forEach(validate);
    const now = this.now();
    let created = 0;
    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
      const rows = deliveries.slice(i, i + INSERT_CHUNK).map(d => ({
        idempotency_key: d.idempotencyKey,
        target: d.target,
        payload: JSON.stringify(d.payload),
        state: 'pending',
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
      }));
      const inserted = await trx(this.table)
        .insert(rows)
        .onConflict('idempotency_key')
        .ignore()
        .returning('id');
      created += inserted.length;
    }
    return created;
  }

  /** Newest first, optionally only those in one state. */
  async list(
    options: { state?: OutboxState; limit?: number; offset?: number } = {},
  ): Promise<Page<OutboxDelivery>> {
    const limit = options.limit ?? 25;
    const offset = options.offset ?? 0;
    const filter = (query: Knex.QueryBuilder) =>
      options.state ? query.where('state', options.state) : query;
    const [rows, [{ count }]] = await Promise.all([
      filter(this.db(this.table).select('*'))
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset),
      filter(this.db(this.table).count({ count: '*' })),
    ]);
    return {
      items: (rows as OutboxRow[]).map(toDelivery),
      totalCount: Number(count),
      limit,
      offset,
    };
  }

  /** How many deliveries each target has in `state` (default: pending), in one query. */
  async countByTarget(
    state: OutboxState = 'pending',
  ): Promise<Array<{ target: string; count: number }>> {
    const rows: Array<{ target: string; count: number | string }> =
      await this.db(this.table)
        .where('state', state)
        .groupBy('target')
        .select('target')
        .count({ count: '*' });
    return rows.map(row => ({ target: row.target, count: Number(row.count) }));
  }

  async get(id: number): Promise<OutboxDelivery | undefined> {
    const row = await this.db<OutboxRow>(this.table).where({ id }).first();
    return row ? toDelivery(row) : undefined;
  }

  /** The delivery enqueued with this idempotency key, if any. */
  async getByKey(idempotencyKey: string): Promise<OutboxDelivery | undefined> {
    const row = await this.db<OutboxRow>(this.table)
      .where({ idempotency_key: idempotencyKey })
      .first();
    return row ? toDelivery(row) : undefined;
  }

  /**
   * Moves a dead delivery back to pending, due at once and with its attempts
   * reset; it keeps its idempotency key. Throws NotFoundError for an unknown
   * id and ConflictError unless the delivery is dead.
   */
  async retry(id: number): Promise<OutboxDelivery> {
    const updated = await this.db(this.table)
      .where({ id, state: 'dead' })
      .update({
        state: 'pending',
        attempts: 0,
        next_attempt_at: this.now(),
        locked_until: null,
        lease_token: null,
      });
    const delivery = await this.get(id);
    if (!delivery) {
      throw new NotFoundError(`No outbox delivery ${id}`);
    }
    if (!updated) {
      throw new ConflictError(
        `Outbox delivery ${id} is ${delivery.state}; only a dead one can be retried`,
      );
    }
    return delivery;
  }

  /**
   * The worker's side: leases up to `limit` due pending deliveries for the
   * given targets until `now + leaseMs`, counting an attempt on each. A
   * delivery whose lease expired is due again. On PostgreSQL the rows are
   * picked with `FOR UPDATE SKIP LOCKED`, so concurrent workers never claim
   * the same row; SQLite runs one writer at a time.
   */
  async claimDue(options: {
    targets: string[];
    now: Date;
    leaseMs: number;
    limit: number;
  }): Promise<ClaimedDelivery[]> {
    const { now, targets, limit } = options;
    if (!targets.length || limit < 1) {
      return [];
    }
    const leaseToken = randomUUID();
    const due = this.db(this.table)
      .select('id')
      .where('state', 'pending')
      .where('next_attempt_at', '<=', now)
      .where(q =>
        q.whereNull('locked_until').orWhere('locked_until', '<=', now),
      )
      .whereIn('target', targets)
      .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
      .limit(limit);
    if (isPostgres(this.db)) {
      due.forUpdate().skipLocked();
    }
    const claimed = await this.db(this.table)
      .whereIn('id', due)
      .update({
        locked_until: new Date(now.getTime() + options.leaseMs),
        lease_token: leaseToken,
        attempts: this.db.raw('?? + 1', ['attempts']),
      });
    if (!claimed) {
      return [];
    }
    const rows: OutboxRow[] = await this.db(this.table)
      .where({ lease_token: leaseToken })
      .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }]);
    return rows.map(row => ({ delivery: toDelivery(row), leaseToken }));
  }

  /**
   * The worker's side: records a successful attempt. Returns false, changing
   * nothing, when the lease was lost to another worker meanwhile.
   */
  async markDelivered(
    claim: ClaimedDelivery,
    outcome: { now: Date; status?: number },
  ): Promise<boolean> {
    return this.settle(claim, {
      state: 'delivered',
      delivered_at: outcome.now,
      last_status: outcome.status ?? null,
    });
  }

  /**
   * The worker's side: records a failed attempt, either rescheduled
   * (`nextAttemptAt`) or dead-lettered. Returns false, changing nothing, when
   * the lease was lost to another worker meanwhile.
   */
  async markFailed(
    claim: ClaimedDelivery,
    outcome: {
      error: string;
      status?: number;
      /** Absent: dead-lettered. */
      nextAttemptAt?: Date;
    },
  ): Promise<boolean> {
    return this.settle(claim, {
      state: outcome.nextAttemptAt ? 'pending' : 'dead',
      ...(outcome.nextAttemptAt && {
        next_attempt_at: outcome.nextAttemptAt,
      }),
      last_error: outcome.error.slice(0, MAX_ERROR_LENGTH),
      last_status: outcome.status ?? null,
    });
  }

  private async settle(
    claim: ClaimedDelivery,
    changes: Record<string, unknown>,
  ): Promise<boolean> {
    const updated = await this.db(this.table)
      .where({
        id: claim.delivery.id,
        lease_token: claim.leaseToken,
        state: 'pending',
      })
      .update({ ...changes, locked_until: null, lease_token: null });
    return updated > 0;
  }
}
