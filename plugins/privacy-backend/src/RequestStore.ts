import type {
  DsarRequest,
  Jurisdiction,
  Region,
  RequestState,
  RequestType,
} from '@internal/plugin-privacy-common';
import type { Page, PageQuery } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';

const TABLE = 'privacy_requests';

/** States after which a request is no longer open. */
export const FINAL_STATES: RequestState[] = [
  'completed',
  'failed',
  'dead_lettered',
  'canceled',
];

interface RequestRow {
  id: string;
  type: RequestType;
  state: RequestState;
  subject_id: string;
  region: Region;
  jurisdiction: Jurisdiction;
  priority: number;
  requester: string;
  created_at: Date | string | number;
  updated_at: Date | string | number;
  sla_due_at: Date | string | number;
  legal_due_at: Date | string | number;
}

export interface RequestFilter {
  state?: RequestState;
  type?: RequestType;
  region?: Region;
}

/** PostgreSQL returns Date, SQLite a number or string: both become ISO text. */
const iso = (value: Date | string | number) => new Date(value).toISOString();

function fromRow(row: RequestRow): DsarRequest {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    subjectId: row.subject_id,
    region: row.region,
    jurisdiction: row.jurisdiction,
    priority: Number(row.priority),
    requester: row.requester,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    slaDueAt: iso(row.sla_due_at),
    legalDueAt: iso(row.legal_due_at),
  };
}

/** The privacy_requests table: the record of every DSAR request. */
export class RequestStore {
  constructor(private readonly db: Knex) {}

  async insert(request: DsarRequest): Promise<void> {
    await this.db<RequestRow>(TABLE).insert({
      id: request.id,
      type: request.type,
      state: request.state,
      subject_id: request.subjectId,
      region: request.region,
      jurisdiction: request.jurisdiction,
      priority: request.priority,
      requester: request.requester,
      created_at: new Date(request.createdAt),
      updated_at: new Date(request.updatedAt),
      sla_due_at: new Date(request.slaDueAt),
      legal_due_at: new Date(request.legalDueAt),
    });
  }

  async get(id: string): Promise<DsarRequest | undefined> {
    const row = await this.db<RequestRow>(TABLE).where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  /** An open request of the same type for the same subject and region, if any. */
  async findOpen(
    type: RequestType,
    subjectId: string,
    region: Region,
  ): Promise<DsarRequest | undefined> {
    const row = await this.db<RequestRow>(TABLE)
      .where({ type, subject_id: subjectId, region })
      .whereNotIn('state', FINAL_STATES)
      .orderBy('created_at', 'asc')
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** Newest first. */
  async list(
    filter: RequestFilter,
    page: PageQuery,
  ): Promise<Page<DsarRequest>> {
    const where = (query: Knex.QueryBuilder) => {
      if (filter.state) query.where('state', filter.state);
      if (filter.type) query.where('type', filter.type);
      if (filter.region) query.where('region', filter.region);
      return query;
    };
    const [{ count }] = await where(this.db(TABLE).count({ count: '*' }));
    const rows: RequestRow[] = await where(this.db(TABLE).select('*'))
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(page.limit)
      .offset(page.offset);
    return { items: rows.map(fromRow), totalCount: Number(count), ...page };
  }
}
