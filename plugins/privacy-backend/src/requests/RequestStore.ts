import { Page, readPage } from '@internal/plugin-ops-node';
import {
  DsarRequest,
  FINAL_STATES,
  Jurisdiction,
  PRIORITIES,
  PriorityName,
  Region,
  RequestState,
  RequestType,
} from '@internal/plugin-privacy-common';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import type { Knex } from 'knex';
import { fieldBinding } from '../crypto';
import type { IdentifierProtection } from '../identifiers';
import type { RequestColumnFilter, RequestScope } from '../requestPermissions';
import type { SlaInput } from '../sla';

const TABLE = 'privacy_requests';

type Timestamp = Date | string | number;

export interface RequestRow {
  id: string;
  type: RequestType;
  state: RequestState;
  subject_hash: string;
  subject_enc: string;
  email_enc: string | null;
  region: Region;
  jurisdiction: Jurisdiction;
  priority: number;
  requester: string;
  approved_by: string | null;
  idempotency_key: string | null;
  idempotency_body_hash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
  sla_due_at: Timestamp;
  legal_due_at: Timestamp;
  extension_reason: string | null;
  attempts: number;
  last_error: string | null;
  demo: boolean | number;
}

/** A new request, as intake creates it. */
export interface NewRequest {
  id: string;
  type: RequestType;
  state: RequestState;
  subjectId: string;
  email?: string;
  region: Region;
  jurisdiction: Jurisdiction;
  priority: number;
  requester: string;
  /** The caller's Idempotency-Key, scoped (see IntakeService), and the keyed hash of its body. */
  idempotency?: { key: string; bodyHash: string };
  createdAt: Date;
  slaDueAt: Date;
  legalDueAt: Date;
  demo?: boolean;
}

export interface RequestListFilter {
  state?: RequestState;
  type?: RequestType;
  region?: Region;
  priority?: PriorityName;
  overdue?: boolean;
  sort: 'createdAt' | 'slaDueAt' | 'legalDueAt' | 'priority';
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** Columns a transition may change besides the state. */
export interface TransitionPatch {
  approved_by?: string;
  completed_at?: Date;
  legal_due_at?: Date;
  extension_reason?: string;
  attempts?: number;
  last_error?: string | null;
}

const SORT_COLUMNS = {
  createdAt: 'created_at',
  slaDueAt: 'sla_due_at',
  legalDueAt: 'legal_due_at',
  priority: 'priority',
} as const;

/** A request as the backend holds it, the subject id always decrypted. */
export type StoredRequest = DsarRequest & { subjectId: string };

/** A permission filter (RequestScope.where) as a where clause; requesters compare in lower case. */
function applyColumnFilter(
  query: Knex.QueryBuilder,
  criteria: PermissionCriteria<RequestColumnFilter>,
): void {
  if (isAndCriteria(criteria)) {
    for (const c of criteria.allOf) query.where(q => applyColumnFilter(q, c));
  } else if (isOrCriteria(criteria)) {
    for (const c of criteria.anyOf) {
      query.orWhere(q => applyColumnFilter(q, c));
    }
  } else if (isNotCriteria(criteria)) {
    query.whereNot(q => applyColumnFilter(q, criteria.not));
  } else if (criteria.column === 'requester') {
    query.whereRaw(
      `lower(requester) in (${
        criteria.values.map(() => '?').join(', ') || 'null'
      })`,
      criteria.values.map(v => v.toLocaleLowerCase('en-US')),
    );
  } else {
    query.whereIn(criteria.column, criteria.values);
  }
}

/** PostgreSQL returns Date, SQLite a number or string: both become ISO text. */
export const iso = (value: Timestamp) => new Date(value).toISOString();
const isoOrNull = (value: Timestamp | null) =>
  value === null ? null : iso(value);

/** The privacy_requests table: the record of every DSAR request. */
/** States in which a request's job should be on the queue. */
export const IN_FLIGHT_STATES: ReadonlySet<RequestState> = new Set([
  'queued',
  'running',
  'failed',
]);

export class RequestStore {
  constructor(
    private readonly db: Knex,
    private readonly identifiers: IdentifierProtection,
  ) {}

  #decryptSubject(row: RequestRow): string {
    return this.identifiers.decrypt(
      row.subject_enc,
      fieldBinding('privacy_requests', row.id, 'subject_enc'),
    );
  }

  /** The lookup hash of a subject id, as stored in subject_hash. */
  subjectHash(subjectId: string): string {
    return this.identifiers.hash(subjectId);
  }

  toRequest(row: RequestRow): StoredRequest {
    return {
      ...this.toView(row, false),
      subjectId: this.#decryptSubject(row),
      subjectHidden: false,
    };
  }

  /**
   * The request as a caller sees it: with `hideSubject`, the subject id is
   * not decrypted and answers null (`subjectHidden: true`).
   */
  toView(row: RequestRow, hideSubject: boolean): DsarRequest {
    return {
      id: row.id,
      type: row.type,
      state: row.state,
      subjectId: hideSubject ? null : this.#decryptSubject(row),
      subjectHidden: hideSubject,
      region: row.region,
      jurisdiction: row.jurisdiction,
      priority: Number(row.priority),
      requester: row.requester,
      approvedBy: row.approved_by,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      completedAt: isoOrNull(row.completed_at),
      slaDueAt: iso(row.sla_due_at),
      legalDueAt: iso(row.legal_due_at),
      extensionReason: row.extension_reason,
      attempts: Number(row.attempts),
      lastError: row.last_error,
      demo: Boolean(row.demo),
    };
  }

  /** The row of a new request: identifiers hashed and encrypted. */
  newRow(request: NewRequest): RequestRow {
    return {
      id: request.id,
      type: request.type,
      state: request.state,
      subject_hash: this.identifiers.hash(request.subjectId),
      subject_enc: this.identifiers.encrypt(
        request.subjectId,
        fieldBinding('privacy_requests', request.id, 'subject_enc'),
      ),
      email_enc: request.email
        ? this.identifiers.encrypt(
            request.email,
            fieldBinding('privacy_requests', request.id, 'email_enc'),
          )
        : null,
      region: request.region,
      jurisdiction: request.jurisdiction,
      priority: request.priority,
      requester: request.requester,
      approved_by: null,
      idempotency_key: request.idempotency?.key ?? null,
      idempotency_body_hash: request.idempotency?.bodyHash ?? null,
      created_at: request.createdAt,
      updated_at: request.createdAt,
      completed_at: null,
      sla_due_at: request.slaDueAt,
      legal_due_at: request.legalDueAt,
      extension_reason: null,
      attempts: 0,
      last_error: null,
      demo: request.demo ?? false,
    };
  }

  async getRow(
    id: string,
    trx: Knex = this.db,
  ): Promise<RequestRow | undefined> {
    return trx<RequestRow>(TABLE).where({ id }).first();
  }

  async get(id: string): Promise<StoredRequest | undefined> {
    const row = await this.getRow(id);
    return row ? this.toRequest(row) : undefined;
  }

  /** An open request of the same type for the same subject and region, if any. */
  async findOpen(
    type: RequestType,
    subjectId: string,
    region: Region,
    trx: Knex = this.db,
  ) {
    const row = await trx<RequestRow>(TABLE)
      .where({ type, subject_hash: this.identifiers.hash(subjectId), region })
      .whereNotIn('state', FINAL_STATES)
      .orderBy('created_at', 'asc')
      .first();
    return row ? this.toRequest(row) : undefined;
  }

  /** The request first sent with a (scoped) Idempotency-Key, and the keyed hash of that body. */
  async findByIdempotencyKey(
    key: string,
    trx: Knex = this.db,
  ): Promise<{ request: DsarRequest; bodyHash: string | null } | undefined> {
    const row = await trx<RequestRow>(TABLE)
      .where({ idempotency_key: key })
      .first();
    return row
      ? { request: this.toRequest(row), bodyHash: row.idempotency_body_hash }
      : undefined;
  }

  /** A keyed hash of a text that may hold personal data (the identifier key's pepper). */
  keyedHash(text: string): string {
    return this.identifiers.hash(text);
  }

  /**
   * A page of requests; `scope` (the caller's permissions) narrows the rows
   * in the query and hides the subject ids the caller may not see.
   */
  async list(
    filter: RequestListFilter,
    now: Date,
    scope: Pick<RequestScope, 'where' | 'canSeeSubject'> = {
      canSeeSubject: () => true,
    },
  ): Promise<Page<DsarRequest>> {
    const query = this.db(TABLE);
    if (scope.where) {
      const where = scope.where;
      query.where(q => applyColumnFilter(q, where));
    }
    if (filter.state) query.where('state', filter.state);
    if (filter.type) query.where('type', filter.type);
    if (filter.region) query.where('region', filter.region);
    if (filter.priority) query.where('priority', PRIORITIES[filter.priority]);
    if (filter.overdue) {
      query.where('sla_due_at', '<', now).whereNotIn('state', FINAL_STATES);
    }
    return readPage<RequestRow, DsarRequest>(query, filter, {
      orderBy: [
        { column: SORT_COLUMNS[filter.sort], order: filter.order },
        { column: 'id', order: filter.order },
      ],
      toItem: row => this.toView(row, !scope.canSeeSubject(row)),
    });
  }

  /**
   * Moves a request from one of `from` to `to` (compare-and-set, so two
   * workers can never both complete a request). Returns the updated row, or
   * undefined when the request was not in one of `from`.
   */
  async transition(
    id: string,
    from: RequestState[],
    to: RequestState,
    patch: TransitionPatch,
    now: Date,
    trx: Knex = this.db,
  ): Promise<RequestRow | undefined> {
    const [updated] = await this.transitionQuery(id, from, to, patch, now, trx);
    return updated as RequestRow | undefined;
  }

  /**
   * The compare-and-set of `transition` as a query not yet run, returning
   * the updated rows, for `AuditChain.auditedWrite`; `id` may be several. Not async on purpose:
   * awaiting a query builder runs it.
   */
  transitionQuery(
    id: string | string[],
    from: RequestState[],
    to: RequestState,
    patch: TransitionPatch | Record<string, Knex.Raw>,
    now: Date,
    db: Knex = this.db,
    options: { held?: boolean } = {},
  ): Knex.QueryBuilder {
    const query = db<RequestRow>(TABLE)
      .whereIn('id', Array.isArray(id) ? id : [id])
      .whereIn('state', from);
    if (options.held !== undefined) {
      // Only erasures whose subject is (held: true) or is not (held: false)
      // under an active legal hold; exports are never held.
      const activeHold = db('privacy_legal_holds')
        .select(db.raw('1'))
        .whereRaw('privacy_legal_holds.subject_hash = ??', [
          `${TABLE}.subject_hash`,
        ])
        .whereNull('released_at');
      if (options.held) {
        query.where('type', 'delete').whereExists(activeHold);
      } else {
        query.where(q =>
          q.whereNot('type', 'delete').orWhereNotExists(activeHold),
        );
      }
    }
    return query
      .update({ ...patch, state: to, updated_at: now })
      .returning('*');
  }

  /**
   * The insert of new requests' rows (see `newRow`), not yet run (see
   * transitionQuery). A row that conflicts with a unique index (an open
   * request of the same type, subject and region, or a used
   * Idempotency-Key) is skipped, not an error: the query does not return it.
   */
  insertQuery(rows: RequestRow[]): Knex.QueryBuilder {
    return this.db(TABLE).insert(rows).onConflict().ignore().returning('*');
  }

  /** The subject's erasures in the given states (subject by its lookup hash). */
  async erasuresOf(
    subjectHash: string,
    states: RequestState[],
    trx: Knex = this.db,
  ): Promise<RequestRow[]> {
    return trx<RequestRow>(TABLE)
      .where({ subject_hash: subjectHash, type: 'delete' })
      .whereIn('state', states);
  }

  /** Requests the queue should be holding: for the reconciler (see IN_FLIGHT_STATES). */
  async inFlight(): Promise<
    Array<{ id: string; priority: number; state: RequestState }>
  > {
    return this.db<RequestRow>(TABLE)
      .select('id', 'priority', 'state')
      .whereIn('state', [...IN_FLIGHT_STATES])
      .orderBy('created_at', 'asc');
  }

  /**
   * Requests *decided* in [start, end): completed in it, or reaching their
   * SLA deadline in it. What an SLI window counts (see computeSli).
   */
  /** How many requests there are per state, type and region (metrics). */
  async countByState(): Promise<
    Array<{ state: string; type: string; region: string; count: number }>
  > {
    const rows: Array<{
      state: string;
      type: string;
      region: string;
      n: number | string;
    }> = await this.db(TABLE)
      .select('state', 'type', 'region')
      .count({ n: '*' })
      .groupBy('state', 'type', 'region');
    return rows.map(({ n, ...labels }) => ({ ...labels, count: Number(n) }));
  }

  /** Open requests past their internal SLA at `now`, per type and region (metrics). */
  async countOverdue(
    now: Date,
  ): Promise<Array<{ type: string; region: string; count: number }>> {
    const rows: Array<{ type: string; region: string; n: number | string }> =
      await this.db(TABLE)
        .select('type', 'region')
        .count({ n: '*' })
        .whereNotIn('state', FINAL_STATES)
        .where('sla_due_at', '<', now)
        .groupBy('type', 'region');
    return rows.map(({ n, ...labels }) => ({ ...labels, count: Number(n) }));
  }

  async slaInputsDecidedIn(start: Date, end: Date): Promise<SlaInput[]> {
    return this.slaInputs(query =>
      query
        .where(q =>
          q
            .where('completed_at', '>=', start)
            .andWhere('completed_at', '<', end),
        )
        .orWhere(q =>
          q.where('sla_due_at', '>=', start).andWhere('sla_due_at', '<', end),
        ),
    );
  }

  /** Requests received since `since`, as the SLA report reads them. */
  async slaInputsSince(since: Date): Promise<SlaInput[]> {
    return this.slaInputs(query => query.where('created_at', '>=', since));
  }

  private async slaInputs(
    where: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): Promise<SlaInput[]> {
    const rows: Array<
      Pick<
        RequestRow,
        | 'type'
        | 'region'
        | 'state'
        | 'created_at'
        | 'completed_at'
        | 'sla_due_at'
      >
    > = await this.db<RequestRow>(TABLE)
      .select(
        'type',
        'region',
        'state',
        'created_at',
        'completed_at',
        'sla_due_at',
      )
      .modify(where);
    return rows.map(row => ({
      type: row.type,
      region: row.region,
      state: row.state,
      createdAt: new Date(row.created_at),
      completedAt:
        row.completed_at === null ? null : new Date(row.completed_at),
      slaDueAt: new Date(row.sla_due_at),
    }));
  }
}
