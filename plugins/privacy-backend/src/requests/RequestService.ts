import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  DsarRequest,
  DsarIntake,
  PRIORITIES,
  RequestState,
  RequestType,
  TRANSITIONS,
  dsarIntakeSchema,
} from '@internal/plugin-privacy-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { PrivacyConfig } from '../config';
import { addCalendarMonthsUtc, legalDueAt, slaDueAt } from '../deadlines';
import type { RequestRow, RequestStore, TransitionPatch } from './RequestStore';
import { batchPerTurn } from '../batching';

type AuditEntry = {
  requestId?: string | null;
  type: string;
  actor: string;
  data?: Record<string, unknown>;
  at?: Date;
};

/** The slice of the audit log the request lifecycle writes to. */
export interface AuditAppender {
  enqueue(entries: AuditEntry[], trx: Knex.Transaction): Promise<void>;
  auditedWrite<Row extends { id: string }>(options: {
    statement: Knex.QueryBuilder;
    before?: Knex.QueryBuilder[];
    events: Array<Omit<AuditEntry, 'requestId'>>;
    eventsById?: Record<string, Array<Omit<AuditEntry, 'requestId'>>>;
    fromRow?: Record<string, string>;
  }): Promise<Row[]>;
}

/** Where queued requests go; the executor takes them from there. */
export interface RequestDispatcher {
  dispatch(request: { id: string; priority: number }): Promise<void>;
}

export interface LegalHolds {
  isHeld(subjectId: string, trx?: Knex): Promise<boolean>;
  isHashHeld(subjectHash: string, trx?: Knex): Promise<boolean>;
  place(
    hold: {
      id: string;
      subjectId: string;
      reason: string;
      createdBy: string;
      at: Date;
    },
    trx?: Knex,
  ): Promise<void>;
  get(
    id: string,
    trx?: Knex,
  ): Promise<{ id: string; subject_hash: string } | undefined>;
  release(id: string, at: Date, trx?: Knex): Promise<boolean>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The lifecycle of a DSAR request: intake, approval, cancellation, retry,
 * deadline extension and the executor's start/complete/fail. Every change
 * follows the published state machine (TRANSITIONS), is a compare-and-set on
 * the row, and writes its audit events in the same atomic write.
 */
export class RequestService {
  constructor(
    private readonly deps: {
      db: Knex;
      store: RequestStore;
      audit: AuditAppender;
      dispatcher: RequestDispatcher;
      holds: LegalHolds;
      config: PrivacyConfig;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /** Audit events of the transactions opened by inTransaction, not yet written. */
  private readonly pendingAudit = new WeakMap<Knex.Transaction, AuditEntry[]>();

  /**
   * A transaction whose audit events are written together at its end, as
   * pending events (`AuditLog.enqueue`): they commit with it and are chained
   * shortly after, so concurrent transactions never wait on the chain's lock.
   */
  private async inTransaction<T>(
    work: (trx: Knex.Transaction) => Promise<T>,
  ): Promise<T> {
    return this.deps.db.transaction(async trx => {
      const events: AuditEntry[] = [];
      this.pendingAudit.set(trx, events);
      const result = await work(trx);
      await this.deps.audit.enqueue(events, trx);
      return result;
    });
  }

  /** Records an audit event of a transaction inTransaction opened; written at its end. */
  private async record(
    entry: AuditEntry,
    trx: Knex.Transaction,
  ): Promise<void> {
    const pending = this.pendingAudit.get(trx);
    if (!pending) throw new Error('record() outside inTransaction()');
    pending.push(entry);
  }

  /**
   * Accepts an export or erasure. A repeated Idempotency-Key, or a duplicate of
   * an open request (same type, subject and region), returns the existing one.
   * Both are unique indexes, so a duplicate racing its original is caught by
   * the database, not only by the lookup.
   */
  async submit(
    type: RequestType,
    body: DsarIntake,
    requester: string,
    options: { idempotencyKey?: string; demo?: boolean } = {},
  ): Promise<{ request: DsarRequest; created: boolean }> {
    const intake = dsarIntakeSchema.parse(body);
    const existing = () => this.findExisting(type, intake, options);
    if (options.idempotencyKey) {
      const request = await existing();
      if (request) return { request, created: false };
    }
    // An insert that conflicts with an open request that then finished
    // meanwhile finds nothing: try again, a few times.
    for (let attempt = 1; ; attempt++) {
      const created = await this.insertRequest(
        type,
        intake,
        requester,
        options,
      );
      if (created) return { request: created, created: true };
      const request = await existing();
      if (request) return { request, created: false };
      if (attempt === 3) {
        throw new ConflictError(
          'The request conflicts with another that keeps changing; try again',
        );
      }
    }
  }

  private async findExisting(
    type: RequestType,
    intake: DsarIntake,
    options: { idempotencyKey?: string },
  ): Promise<DsarRequest | undefined> {
    const { store } = this.deps;
    if (options.idempotencyKey) {
      const byKey = await store.findByIdempotencyKey(options.idempotencyKey);
      if (byKey) return byKey;
    }
    return store.findOpen(type, intake.subject.id, intake.region);
  }

  /**
   * Writes a new request straight into its first waiting state, with the
   * audit trail of both steps (received, then queued / awaiting approval /
   * on hold), in one atomic write, and puts an export on the queue.
   * Undefined when a unique index refused it (a duplicate).
   */
  private async insertRequest(
    type: RequestType,
    intake: ReturnType<typeof dsarIntakeSchema.parse>,
    requester: string,
    options: { idempotencyKey?: string; demo?: boolean },
  ): Promise<DsarRequest | undefined> {
    const receivedAt = this.now();
    // An export goes straight to the queue; an erasure waits for a second
    // person, or for its legal hold to be released.
    let state: RequestState = 'queued';
    if (type === 'delete') {
      state = (await this.deps.holds.isHeld(intake.subject.id))
        ? 'on_hold'
        : 'awaiting_approval';
    }
    if (!TRANSITIONS.received.includes(state)) {
      throw new Error(`received → ${state} is not in the state machine`);
    }
    const row = this.deps.store.newRow({
      id: randomUUID(),
      type,
      state,
      subjectId: intake.subject.id,
      email: intake.subject.email,
      region: intake.region,
      jurisdiction: intake.jurisdiction,
      priority: PRIORITIES[intake.priority],
      requester,
      idempotencyKey: options.idempotencyKey,
      createdAt: receivedAt,
      slaDueAt: slaDueAt(type, receivedAt, this.deps.config.sla),
      legalDueAt: legalDueAt(intake.jurisdiction, receivedAt),
      demo: options.demo,
    });
    const inserted = await this.inserts.load({
      row,
      events: [
        {
          type: 'request.received',
          actor: requester,
          at: receivedAt,
          data: {
            type,
            region: intake.region,
            jurisdiction: intake.jurisdiction,
            priority: intake.priority,
          },
        },
        {
          type: 'request.state_changed',
          actor: requester,
          at: receivedAt,
          data: { from: 'received', to: state },
        },
      ],
    });
    if (!inserted) return undefined;
    const request = this.deps.store.toRequest(row);
    if (request.state === 'queued') {
      await this.deps.dispatcher.dispatch(request);
    }
    return request;
  }

  /** A second person approves an erasure; the requester cannot approve their own. */
  async approve(id: string, actor: string): Promise<DsarRequest> {
    const row = await this.load(id);
    if (row.requester === actor) {
      throw new NotAllowedError(
        'An erasure must be approved by someone other than its requester',
      );
    }
    const request = await this.inTransaction(async trx => {
      if (
        await this.deps.holds.isHeld(
          this.deps.store.toRequest(row).subjectId,
          trx,
        )
      ) {
        throw new ConflictError(
          `Request ${id} is under a legal hold and cannot be approved`,
        );
      }
      return this.move(
        trx,
        id,
        ['awaiting_approval'],
        'queued',
        { approved_by: actor },
        actor,
        row,
      );
    });
    await this.deps.dispatcher.dispatch(request);
    return request;
  }

  async cancel(id: string, actor: string): Promise<DsarRequest> {
    const row = await this.load(id);
    const from = (Object.keys(TRANSITIONS) as RequestState[]).filter(s =>
      TRANSITIONS[s].includes('canceled'),
    );
    return this.inTransaction(trx =>
      this.move(trx, id, from, 'canceled', {}, actor, row),
    );
  }

  /** Puts a failed or dead-lettered request back on the queue. */
  async retry(id: string, actor: string): Promise<DsarRequest> {
    const row = await this.load(id);
    const request = await this.inTransaction(trx =>
      this.move(
        trx,
        id,
        ['failed', 'dead_lettered'],
        'queued',
        { last_error: null },
        actor,
        row,
      ),
    );
    await this.deps.dispatcher.dispatch(request);
    return request;
  }

  /**
   * Extends the legal deadline once, with a recorded reason: GDPR by two
   * further months, CCPA by 45 further days.
   */
  async extend(
    id: string,
    actor: string,
    reason: string,
  ): Promise<DsarRequest> {
    const row = await this.load(id);
    if (row.extension_reason) {
      throw new ConflictError(
        `The deadline of request ${id} was already extended`,
      );
    }
    const current = new Date(row.legal_due_at);
    const extended =
      row.jurisdiction === 'CCPA'
        ? new Date(current.getTime() + 45 * DAY_MS)
        : addCalendarMonthsUtc(current, 2);
    const open = (Object.keys(TRANSITIONS) as RequestState[]).filter(
      s => TRANSITIONS[s].length > 0,
    );
    if (!open.includes(row.state)) {
      throw new ConflictError(
        `Request ${id} is ${row.state}; its deadline can no longer change`,
      );
    }
    return this.inTransaction(async trx => {
      const updated = await this.deps.store.transition(
        id,
        [row.state],
        row.state,
        { legal_due_at: extended, extension_reason: reason },
        this.now(),
        trx,
      );
      if (!updated)
        throw new ConflictError(`Request ${id} changed meanwhile; try again`);
      await this.record(
        {
          requestId: id,
          type: 'request.deadline_extended',
          actor,
          data: { legalDueAt: extended.toISOString(), reason },
        },
        trx,
      );
      return this.deps.store.toRequest(updated);
    });
  }

  /**
   * Places a legal hold on a subject: its erasures that have not started
   * move to on_hold and cannot be approved until the hold is released.
   */
  async placeHold(
    subjectId: string,
    reason: string,
    actor: string,
  ): Promise<{ id: string; held: number }> {
    const id = randomUUID();
    const held = await this.inTransaction(async trx => {
      await this.deps.holds.place(
        { id, subjectId, reason, createdBy: actor, at: this.now() },
        trx,
      );
      await this.record(
        { type: 'legal_hold.placed', actor, data: { holdId: id } },
        trx,
      );
      const erasures = await this.deps.store.erasuresOf(
        this.deps.store.subjectHash(subjectId),
        ['received', 'awaiting_approval', 'queued'],
        trx,
      );
      for (const row of erasures) {
        await this.move(trx, row.id, [row.state], 'on_hold', {}, actor, row);
      }
      return erasures.length;
    });
    return { id, held };
  }

  /** Releases a hold; with no other hold left, the subject's held erasures await approval again. */
  async releaseHold(
    holdId: string,
    actor: string,
  ): Promise<{ released: number }> {
    return this.inTransaction(async trx => {
      const hold = await this.deps.holds.get(holdId, trx);
      if (!hold) throw new NotFoundError(`No legal hold with id ${holdId}`);
      if (!(await this.deps.holds.release(holdId, this.now(), trx))) {
        throw new ConflictError(`Legal hold ${holdId} was already released`);
      }
      await this.record(
        { type: 'legal_hold.released', actor, data: { holdId } },
        trx,
      );
      if (await this.deps.holds.isHashHeld(hold.subject_hash, trx))
        return { released: 0 };
      const held = await this.deps.store.erasuresOf(
        hold.subject_hash,
        ['on_hold'],
        trx,
      );
      for (const row of held) {
        await this.move(
          trx,
          row.id,
          ['on_hold'],
          'awaiting_approval',
          {},
          actor,
          row,
        );
      }
      return { released: held.length };
    });
  }

  /**
   * The executor takes a request: queued (or re-run after a crash) →
   * running. Undefined when it is in none of those states.
   */
  async start(id: string): Promise<RequestRow | undefined> {
    return this.starts.load(id);
  }

  /**
   * New requests submitted within one turn of the event loop become one
   * audited insert; each resolves true when its row was written, false when
   * a unique index skipped it. No caching.
   */
  private readonly inserts = batchPerTurn<
    { row: RequestRow; events: Array<Omit<AuditEntry, 'requestId'>> },
    boolean
  >(async batch => {
    const rows = await this.deps.audit.auditedWrite<RequestRow>({
      statement: this.deps.store.insertQuery(batch.map(b => b.row)),
      events: [],
      eventsById: Object.fromEntries(batch.map(b => [b.row.id, b.events])),
    });
    const inserted = new Set(rows.map(row => row.id));
    return batch.map(b => inserted.has(b.row.id));
  });

  /**
   * Starts asked for within one turn of the event loop (workers taking jobs
   * at once) become one audited write for all of them. No caching.
   */
  private readonly starts = batchPerTurn<string, RequestRow | undefined>(
    async ids => {
      const at = this.now();
      const rows = await this.deps.audit.auditedWrite<RequestRow>({
        statement: this.deps.store.transitionQuery(
          [...ids],
          ['queued', 'failed', 'running'],
          'running',
          { attempts: this.deps.db.raw('attempts + 1') },
          at,
        ),
        fromRow: { attempt: 'attempts' },
        events: [
          {
            type: 'request.state_changed',
            actor: 'executor',
            at,
            data: { to: 'running' },
          },
        ],
      });
      return ids.map(id => rows.find(row => row.id === id));
    },
  );

  /**
   * running → completed for one or more requests at once, with the rows that
   * record their outcome (`before`, written whether or not a request was
   * still running) and each one's own events after its state change, in one
   * atomic write. Returns the ids that completed (not those no longer
   * running: canceled meanwhile, or completed by another worker).
   */
  async completeMany(
    ids: string[],
    outcome: {
      before?: Knex.QueryBuilder[];
      eventsById?: Record<string, Array<Omit<AuditEntry, 'requestId'>>>;
    },
  ): Promise<Set<string>> {
    const at = this.now();
    const rows = await this.deps.audit.auditedWrite<RequestRow>({
      statement: this.deps.store.transitionQuery(
        ids,
        ['running'],
        'completed',
        { completed_at: at, last_error: null },
        at,
      ),
      before: outcome.before,
      events: [
        {
          type: 'request.state_changed',
          actor: 'executor',
          at,
          data: { from: 'running', to: 'completed' },
        },
      ],
      eventsById: outcome.eventsById,
    });
    return new Set(rows.map(row => row.id));
  }

  /** An attempt failed; the queue will retry it. */
  async fail(id: string, error: Error): Promise<void> {
    await this.executorMove({
      id,
      from: ['running'],
      to: 'failed',
      patch: { last_error: error.message },
      data: { error: error.message },
    });
  }

  /** Attempts exhausted: parked in the dead-letter queue until someone retries. */
  async deadLetter(id: string, error: Error): Promise<void> {
    await this.executorMove({
      id,
      from: ['running', 'failed'],
      to: 'dead_lettered',
      patch: { last_error: error.message },
      data: { error: error.message },
    });
  }

  /**
   * A transition the executor makes, audited, in one atomic write; skipped
   * (undefined) when the request is no longer in `from`, e.g. canceled
   * meanwhile or completed by another worker.
   */
  private async executorMove(move: {
    id: string;
    from: RequestState[];
    to: RequestState;
    patch: TransitionPatch | Record<string, Knex.Raw>;
    data?: Record<string, unknown>;
  }): Promise<RequestRow | undefined> {
    const at = this.now();
    const [updated] = await this.deps.audit.auditedWrite<RequestRow>({
      statement: this.deps.store.transitionQuery(
        move.id,
        move.from,
        move.to,
        move.patch,
        at,
      ),
      events: [
        {
          type: 'request.state_changed',
          actor: 'executor',
          at,
          data: {
            ...(move.from.length === 1 && { from: move.from[0] }),
            ...move.data,
            to: move.to,
          },
        },
      ],
    });
    return updated;
  }

  private async load(id: string): Promise<RequestRow> {
    const row = await this.deps.store.getRow(id);
    if (!row) throw new NotFoundError(`No request with id ${id}`);
    return row;
  }

  /** One transition of the state machine, audited; 409 when illegal. */
  private async move(
    trx: Knex.Transaction,
    id: string,
    from: RequestState[],
    to: RequestState,
    patch: TransitionPatch,
    actor: string,
    before?: RequestRow,
  ): Promise<DsarRequest> {
    const legalFrom = from.filter(state => TRANSITIONS[state].includes(to));
    const updated = await this.deps.store.transition(
      id,
      legalFrom,
      to,
      patch,
      this.now(),
      trx,
    );
    if (!updated) {
      const current = before ?? (await this.deps.store.getRow(id, trx));
      throw new ConflictError(
        `Request ${id} is ${current?.state}; it cannot move to ${to}`,
      );
    }
    await this.record(
      {
        requestId: id,
        type: 'request.state_changed',
        actor,
        data: { from: before?.state ?? from[0], to },
      },
      trx,
    );
    return this.deps.store.toRequest(updated);
  }
}
