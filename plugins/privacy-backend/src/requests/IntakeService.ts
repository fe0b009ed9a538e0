import { ConflictError } from '@backstage/errors';
import {
  DsarIntake,
  DsarRequest,
  PRIORITIES,
  RequestState,
  RequestType,
  TRANSITIONS,
  dsarIntakeSchema,
} from '@internal/plugin-privacy-common';
import {
  AuditChain,
  RowAuditEntry,
  batchPerTurn,
  canonicalJson,
} from '@internal/plugin-ops-node';
import { createHash, randomUUID } from 'node:crypto';
import type { PrivacyConfig } from '../config';
import { legalDueAt, slaDueAt } from '../deadlines';
import type { RequestRow, RequestStore } from './RequestStore';
import type { LegalHolds, RequestDispatcher } from './RequestService';

/**
 * The same Idempotency-Key sent again with another body: refused (422), so
 * a client bug never gets an answer about a different request.
 */
export class IdempotencyKeyReuseError extends Error {
  name = 'IdempotencyKeyReuseError';
  constructor() {
    super(
      'This Idempotency-Key was used with another body; use a new key for a new request',
    );
  }
}

/**
 * A client's Idempotency-Key as stored: scoped to the caller and the route,
 * so the same key from another user or for another request type is another
 * key, never someone else's request.
 */
export function scopeIdempotencyKey(
  requester: string,
  type: RequestType,
  key: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify([requester, type, key]))
    .digest('hex');
}

/**
 * Intake of exports and erasures: a new request is written straight into its
 * first waiting state with its audit trail, in one atomic write; requests
 * submitted within one turn of the event loop share that write.
 */
export class IntakeService {
  constructor(
    private readonly deps: {
      store: RequestStore;
      audit: Pick<AuditChain, 'auditedWrite'>;
      dispatcher: RequestDispatcher;
      holds: Pick<LegalHolds, 'isHeld'>;
      config: Pick<PrivacyConfig, 'sla'>;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
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
    const idempotency = options.idempotencyKey
      ? {
          key: scopeIdempotencyKey(requester, type, options.idempotencyKey),
          bodyHash: this.deps.store.keyedHash(canonicalJson(intake)),
        }
      : undefined;
    const existing = () => this.findExisting(type, intake, idempotency);
    if (idempotency) {
      const request = await existing();
      if (request) return { request, created: false };
    }
    // An insert that conflicts with an open request that then finished
    // meanwhile finds nothing: try again, a few times.
    for (let attempt = 1; ; attempt++) {
      const created = await this.insertRequest(type, intake, requester, {
        idempotency,
        demo: options.demo,
      });
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
    idempotency?: { key: string; bodyHash: string },
  ): Promise<DsarRequest | undefined> {
    const { store } = this.deps;
    if (idempotency) {
      const byKey = await store.findByIdempotencyKey(idempotency.key);
      if (byKey && byKey.bodyHash !== idempotency.bodyHash) {
        throw new IdempotencyKeyReuseError();
      }
      if (byKey) return byKey.request;
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
    options: {
      idempotency?: { key: string; bodyHash: string };
      demo?: boolean;
    },
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
      idempotency: options.idempotency,
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

  /**
   * New requests submitted within one turn of the event loop become one
   * audited insert; each resolves true when its row was written, false when
   * a unique index skipped it. No caching.
   */
  private readonly inserts = batchPerTurn<
    { row: RequestRow; events: RowAuditEntry[] },
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
}
