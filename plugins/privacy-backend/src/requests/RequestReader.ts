import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { AuditEvent } from '@internal/plugin-ops-common';
import type { AuditChain } from '@internal/plugin-ops-node';
import {
  DsarRequest,
  DsarRequestDetail,
  privacyRequestReadPermission,
} from '@internal/plugin-privacy-common';
import type { Knex } from 'knex';
import {
  ExportRow,
  SourceRow,
  toExport,
  toSourceResult,
} from '../executor/ResultStore';
import type {
  RequestListFilter,
  RequestRow,
  RequestStore,
} from './RequestStore';
import type { Page } from '@internal/plugin-ops-common';
import { FULL_SCOPE, RequestScope } from '../requestPermissions';
import { subjectRevealedEntry } from './subjectReveal';

/** Who reads: the caller (an entity ref) and what it may see. */
export interface RequestViewer {
  caller: string;
  scope: RequestScope;
}

const SOURCE_COLUMNS = [
  'source',
  'connection',
  'status',
  'records',
  'remaining',
  'error',
  'finished_at',
] as const;
const EXPORT_COLUMNS = [
  'id',
  'location',
  'sha256',
  'size_bytes',
  'key_id',
  'created_at',
  'expires_at',
] as const;

/**
 * The SQL of `GET /status/:id`: the request left-joined with its source
 * results and its export, one row per source, in one query, since that
 * route is the one clients poll. Built and compiled by knex once per
 * reader, not per request: building this query (two joins, fourteen
 * aliased columns) allocated about 30 KB and took more CPU than the rest
 * of the route's own code (bench/privacy/README.md, status profile).
 */
function compileDetailQuery(db: Knex): string {
  return db('privacy_requests as r')
    .select(
      'r.*',
      ...SOURCE_COLUMNS.map(column => `s.${column} as s_${column}`),
      ...EXPORT_COLUMNS.map(column => `e.${column} as e_${column}`),
    )
    .leftJoin('privacy_source_results as s', 's.request_id', 'r.id')
    .leftJoin('privacy_exports as e', 'e.request_id', 'r.id')
    .where('r.id', '(id)')
    .orderBy('s.source')
    .toSQL().sql; // the id stays a `?` placeholder, bound per call
}

/** The `prefix`ed columns of a joined row, without the prefix. */
function pick<C extends string>(
  row: Record<string, unknown>,
  prefix: string,
  columns: readonly C[],
): Record<C, unknown> {
  const picked = {} as Record<C, unknown>;
  for (const column of columns) picked[column] = row[prefix + column];
  return picked;
}

/** A request with its per-source results, export and erasure proof. */
async function loadRequestDetail(
  db: Knex,
  sql: string,
  store: RequestStore,
  id: string,
  scope: RequestScope,
): Promise<DsarRequestDetail | undefined> {
  const result = await db.raw(sql, [id]);
  // PostgreSQL answers { rows }, SQLite the rows themselves.
  const rows: Array<Record<string, unknown>> = Array.isArray(result)
    ? result
    : result.rows;
  if (rows.length === 0) return undefined;

  const requestRow = rows[0] as unknown as RequestRow;
  if (!scope.canRead(requestRow)) {
    throw new NotAllowedError(
      `Not allowed: ${privacyRequestReadPermission.name}`,
    );
  }
  const request = store.toView(requestRow, !scope.canSeeSubject(requestRow));
  const sources = rows
    .filter(row => row.s_source !== null)
    .map(row =>
      toSourceResult(pick(row, 's_', SOURCE_COLUMNS) as unknown as SourceRow),
    );
  const exported =
    rows[0].e_id === null
      ? undefined
      : toExport({
          ...(pick(rows[0], 'e_', EXPORT_COLUMNS) as unknown as ExportRow),
          request_id: id,
        });
  const erasureVerified =
    request.type === 'delete' && request.state === 'completed';
  return {
    ...request,
    sources,
    export: exported
      ? {
          id: exported.id,
          sha256: exported.sha256,
          sizeBytes: exported.sizeBytes,
          keyId: exported.keyId,
          expiresAt: exported.expiresAt,
        }
      : null,
    erasureProof: erasureVerified
      ? {
          verifiedAt: request.completedAt!,
          sources: sources.length,
          remaining: sources.reduce((n, s) => n + (s.remaining ?? 0), 0),
        }
      : null,
  };
}

/**
 * What the privacy API reads about requests: lists, details, audit trails.
 * A list or detail that shows the viewer a subject id is audited
 * (`subject.revealed`, one event per read) before it is returned.
 */
export class RequestReader {
  readonly #detailSql: string;

  constructor(
    private readonly deps: {
      db: Knex;
      store: RequestStore;
      audit: Pick<AuditChain, 'forRecord' | 'enqueue'>;
    },
  ) {
    this.#detailSql = compileDetailQuery(deps.db);
  }

  /**
   * One page of requests, filtered and sorted, of those the viewer may
   * read, subject ids hidden where it may not see them.
   */
  async list(
    filter: RequestListFilter,
    viewer: RequestViewer,
  ): Promise<Page<DsarRequest>> {
    const page = await this.deps.store.list(filter, new Date(), viewer.scope);
    await this.#auditReveal(viewer.caller, page.items);
    return page;
  }

  /**
   * The request with its sources, export and proof; 404 when unknown, 403
   * when the viewer may not read it.
   */
  async detail(id: string, viewer: RequestViewer): Promise<DsarRequestDetail> {
    const detail = await loadRequestDetail(
      this.deps.db,
      this.#detailSql,
      this.deps.store,
      id,
      viewer.scope,
    );
    if (!detail) throw new NotFoundError(`No request with id ${id}`);
    await this.#auditReveal(viewer.caller, [detail]);
    return detail;
  }

  /**
   * Writes the `subject.revealed` event of a read, if it shows a subject
   * id, as a pending event (`enqueue`: no wait on the chain's lock). It is
   * committed before the caller gets the response; if it cannot be, the
   * read fails rather than show the id unaudited.
   */
  async #auditReveal(caller: string, shown: DsarRequest[]): Promise<void> {
    const entry = subjectRevealedEntry(caller, shown, subjectId =>
      this.deps.store.subjectHash(subjectId),
    );
    if (!entry) return;
    await this.deps.db.transaction(trx =>
      this.deps.audit.enqueue([entry], trx),
    );
  }

  /** The request's audit events, oldest first; 404 when unknown, 403 as `detail`. */
  async auditTrail(
    id: string,
    scope: RequestScope = FULL_SCOPE,
  ): Promise<AuditEvent[]> {
    const row = await this.deps.store.getRow(id);
    if (!row) throw new NotFoundError(`No request with id ${id}`);
    if (!scope.canRead(row)) {
      throw new NotAllowedError(
        `Not allowed: ${privacyRequestReadPermission.name}`,
      );
    }
    return this.deps.audit.forRecord(id);
  }
}
