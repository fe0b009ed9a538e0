import { NotFoundError } from '@backstage/errors';
import type { AuditEvent } from '@internal/plugin-ops-common';
import type { AuditChain } from '@internal/plugin-ops-node';
import type {
  DsarRequest,
  DsarRequestDetail,
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
 * A request with its per-source results, export and erasure proof, as
 * `GET /status/:id` answers it: one query (the request left-joined with its
 * source results and its export, one row per source), since that route is
 * the one clients poll.
 */
async function loadRequestDetail(
  db: Knex,
  store: RequestStore,
  id: string,
): Promise<DsarRequestDetail | undefined> {
  const rows: Array<Record<string, unknown>> = await db('privacy_requests as r')
    .select(
      'r.*',
      ...SOURCE_COLUMNS.map(column => `s.${column} as s_${column}`),
      ...EXPORT_COLUMNS.map(column => `e.${column} as e_${column}`),
    )
    .leftJoin('privacy_source_results as s', 's.request_id', 'r.id')
    .leftJoin('privacy_exports as e', 'e.request_id', 'r.id')
    .where('r.id', id)
    .orderBy('s.source');
  if (rows.length === 0) return undefined;

  const request = store.toRequest(rows[0] as unknown as RequestRow);
  const prefixed = (row: Record<string, unknown>, prefix: string) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value]),
    );
  const sources = rows
    .filter(row => row.s_source !== null)
    .map(row => toSourceResult(prefixed(row, 's_') as unknown as SourceRow));
  const exported =
    rows[0].e_id === null
      ? undefined
      : toExport({
          ...(prefixed(rows[0], 'e_') as unknown as ExportRow),
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

/** What the privacy API reads about requests: lists, details, audit trails. */
export class RequestReader {
  constructor(
    private readonly deps: {
      db: Knex;
      store: RequestStore;
      audit: Pick<AuditChain, 'forRecord'>;
    },
  ) {}

  /** One page of requests, filtered and sorted. */
  list(filter: RequestListFilter): Promise<Page<DsarRequest>> {
    return this.deps.store.list(filter, new Date());
  }

  /** The request with its sources, export and proof; 404 when unknown. */
  async detail(id: string): Promise<DsarRequestDetail> {
    const detail = await loadRequestDetail(this.deps.db, this.deps.store, id);
    if (!detail) throw new NotFoundError(`No request with id ${id}`);
    return detail;
  }

  /** The request's audit events, oldest first; 404 when unknown. */
  async auditTrail(id: string): Promise<AuditEvent[]> {
    if (!(await this.deps.store.getRow(id))) {
      throw new NotFoundError(`No request with id ${id}`);
    }
    return this.deps.audit.forRecord(id);
  }
}
