import type { EvidenceException } from '@internal/plugin-evidence-common';
import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { iso, isoOrNull } from './rows';

const EXCEPTIONS = 'evidence_exceptions';

interface ExceptionRow {
  id: string;
  point: string;
  reason: string;
  approver: string;
  created_by: string;
  created_at: Date | string | number;
  expires_at: Date | string | number;
  revoked_at: Date | string | number | null;
}

const toException = (row: ExceptionRow): EvidenceException => ({
  id: row.id,
  point: row.point,
  reason: row.reason,
  approver: row.approver,
  createdBy: row.created_by,
  createdAt: iso(row.created_at),
  expiresAt: iso(row.expires_at),
  revokedAt: isoOrNull(row.revoked_at),
});

export type ExceptionState = 'active' | 'expired' | 'revoked';

/** Exceptions: recorded, then at most revoked; never edited. */
export class ExceptionStore {
  constructor(private readonly db: Knex) {}

  async insert(exception: EvidenceException, trx: Knex.Transaction) {
    await trx(EXCEPTIONS).insert({
      id: exception.id,
      point: exception.point,
      reason: exception.reason,
      approver: exception.approver,
      created_by: exception.createdBy,
      created_at: new Date(exception.createdAt),
      expires_at: new Date(exception.expiresAt),
      revoked_at: null,
    });
  }

  async get(id: string, trx: Knex = this.db) {
    const row = await trx<ExceptionRow>(EXCEPTIONS).where({ id }).first();
    return row && toException(row);
  }

  /** Revokes an exception still in force; returns false when it was not. */
  async revoke(id: string, at: Date, trx: Knex.Transaction): Promise<boolean> {
    const changed = await trx(EXCEPTIONS)
      .where({ id })
      .whereNull('revoked_at')
      .andWhere('expires_at', '>', at)
      .update({ revoked_at: at });
    return changed > 0;
  }

  /** Exceptions in force at `at`. */
  async active(at: Date): Promise<EvidenceException[]> {
    const rows: ExceptionRow[] = await this.db<ExceptionRow>(EXCEPTIONS)
      .whereNull('revoked_at')
      .andWhere('expires_at', '>', at)
      .orderBy([{ column: 'expires_at', order: 'desc' }, { column: 'id' }]);
    return rows.map(toException);
  }

  async list(
    filter: { state?: ExceptionState; point?: string },
    at: Date,
    page: PageQuery,
  ): Promise<Page<EvidenceException>> {
    const query = this.db<ExceptionRow>(EXCEPTIONS);
    if (filter.point) query.where('point', filter.point);
    if (filter.state === 'active') {
      query.whereNull('revoked_at').andWhere('expires_at', '>', at);
    } else if (filter.state === 'expired') {
      query.whereNull('revoked_at').andWhere('expires_at', '<=', at);
    } else if (filter.state === 'revoked') {
      query.whereNotNull('revoked_at');
    }
    return readPage<ExceptionRow, EvidenceException>(query, page, {
      orderBy: [
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ],
      toItem: toException,
    });
  }
}
