import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  DsarRequest,
  RequestState,
  TRANSITIONS,
} from '@internal/plugin-privacy-common';
import type { AuditChain, AuditEntry } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { extendedLegalDueAt } from '../deadlines';
import type { RequestRow, RequestStore, TransitionPatch } from './RequestStore';

/** The slice of the audit chain the request lifecycle writes to. */
export type AuditAppender = Pick<AuditChain, 'enqueue'>;

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

/**
 * What operators do to a DSAR request: approve, cancel, retry, extend its
 * deadline, place and release legal holds. Every change follows the
 * published state machine (TRANSITIONS), is a compare-and-set on the row,
 * and writes its audit events in the same transaction. Intake is
 * `IntakeService`; the executor's transitions are `ExecutorTransitions`.
 */
export class RequestService {
  constructor(
    private readonly deps: {
      db: Knex;
      store: RequestStore;
      audit: AuditAppender;
      dispatcher: RequestDispatcher;
      holds: LegalHolds;
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
   * pending events (`AuditChain.enqueue`): they commit with it and are chained
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

  /** Puts a failed or dead-lettered request back on the queue; never a held erasure. */
  async retry(id: string, actor: string): Promise<DsarRequest> {
    const row = await this.load(id);
    const request = await this.inTransaction(async trx => {
      if (
        row.type === 'delete' &&
        (await this.deps.holds.isHashHeld(row.subject_hash, trx))
      ) {
        throw new ConflictError(
          `Request ${id} is under a legal hold and cannot be retried`,
        );
      }
      return this.move(
        trx,
        id,
        ['failed', 'dead_lettered'],
        'queued',
        { last_error: null },
        actor,
        row,
      );
    });
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
    const extended = extendedLegalDueAt(
      row.jurisdiction,
      new Date(row.legal_due_at),
    );
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
          recordId: id,
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
   * Places a legal hold on a subject: its erasures that are not running move
   * to on_hold (also a failed one waiting for its retry, or a dead-lettered
   * one) and cannot be approved or retried until the hold is released.
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
        // Every state an erasure waits or retries in; a running one is
        // checked again if it ever restarts (ExecutorTransitions.start).
        ['received', 'awaiting_approval', 'queued', 'failed', 'dead_lettered'],
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
        recordId: id,
        type: 'request.state_changed',
        actor,
        data: { from: before?.state ?? from[0], to },
      },
      trx,
    );
    return this.deps.store.toRequest(updated);
  }
}
