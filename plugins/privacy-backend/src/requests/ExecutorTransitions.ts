import type { RequestState } from '@internal/plugin-privacy-common';
import {
  AuditChain,
  RowAuditEntry,
  batchPerTurn,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import type { RequestRow, RequestStore, TransitionPatch } from './RequestStore';

/**
 * The transitions the executor makes: start, complete, fail, dead-letter.
 * Each is one atomic audited write; starts asked for within one turn of the
 * event loop share one. A transition whose request is no longer in the
 * expected state (canceled meanwhile, taken by another worker) is skipped.
 */
export class ExecutorTransitions {
  constructor(
    private readonly deps: {
      db: Knex;
      store: RequestStore;
      audit: Pick<AuditChain, 'auditedWrite'>;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * The executor takes a request (an erasure only when its subject is under
   * no legal hold; a held one moves to on_hold): queued (or re-run after a crash) →
   * running. Undefined when it is in none of those states.
   */
  async start(id: string): Promise<RequestRow | undefined> {
    return this.starts.load(id);
  }

  /**
   * Starts asked for within one turn of the event loop (workers taking jobs
   * at once) become one audited write for all of them. No caching.
   */
  private readonly starts = batchPerTurn<string, RequestRow | undefined>(
    async ids => {
      const at = this.now();
      const from: RequestState[] = ['queued', 'failed', 'running'];
      const rows = await this.deps.audit.auditedWrite<RequestRow>({
        statement: this.deps.store.transitionQuery(
          [...ids],
          from,
          'running',
          { attempts: this.deps.db.raw('attempts + 1') },
          at,
          this.deps.db,
          { held: false },
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
      const notStarted = ids.filter(id => !rows.some(row => row.id === id));
      if (notStarted.length > 0) {
        // An erasure whose subject came under a legal hold since it was
        // queued (or before a crashed run restarts) waits on hold instead.
        await this.deps.audit.auditedWrite<RequestRow>({
          statement: this.deps.store.transitionQuery(
            notStarted,
            from,
            'on_hold',
            {},
            at,
            this.deps.db,
            { held: true },
          ),
          events: [
            {
              type: 'request.state_changed',
              actor: 'executor',
              at,
              data: { to: 'on_hold', reason: 'legal hold' },
            },
          ],
        });
      }
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
      eventsById?: Record<string, RowAuditEntry[]>;
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
}
