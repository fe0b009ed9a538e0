import type { Region, SourceResult } from '@internal/plugin-privacy-common';
import type { Knex } from 'knex';
import { iso } from '../requests/RequestStore';

export interface SourceRow {
  request_id: string;
  source: string;
  connection: string;
  status: SourceResult['status'];
  records: number;
  remaining: number | null;
  error: string | null;
  finished_at: Date | string | number | null;
}

export interface ExportRow {
  id: string;
  request_id: string;
  location: string;
  sha256: string;
  size_bytes: number | string;
  key_id: string;
  created_at: Date | string | number;
  expires_at: Date | string | number;
  deleted_at?: Date | string | number | null;
  deleted_reason?: ExportDeletionReason | null;
  deleted_by?: string | null;
}

/** Why a bundle was deleted from storage: its subject was erased, or its link expired. */
export type ExportDeletionReason = 'erased' | 'expired';

export interface ExportRecord {
  id: string;
  requestId: string;
  location: string;
  sha256: string;
  sizeBytes: number;
  keyId: string;
  createdAt: string;
  expiresAt: string;
  /** When the bundle was deleted from storage; null while it is kept. */
  deletedAt: string | null;
  deletedReason: ExportDeletionReason | null;
  /** The erasure request that deleted it. */
  deletedBy: string | null;
}

/** An export of a subject with the region it was stored in. */
export interface StoredExport extends ExportRecord {
  region: Region;
}

type StoredExportRow = ExportRow & { region: Region };

/** An export row to write: its times as Dates. */
export type NewExport = Omit<
  ExportRecord,
  'createdAt' | 'expiresAt' | 'deletedAt' | 'deletedReason' | 'deletedBy'
> & {
  createdAt: Date;
  expiresAt: Date;
};

export const toExport = (row: ExportRow): ExportRecord => ({
  id: row.id,
  requestId: row.request_id,
  location: row.location,
  sha256: row.sha256,
  sizeBytes: Number(row.size_bytes),
  keyId: row.key_id,
  createdAt: iso(row.created_at),
  expiresAt: iso(row.expires_at),
  deletedAt:
    row.deleted_at === null || row.deleted_at === undefined
      ? null
      : iso(row.deleted_at),
  deletedReason: row.deleted_reason ?? null,
  deletedBy: row.deleted_by ?? null,
});

export const toSourceResult = (row: SourceRow): SourceResult => ({
  source: row.source,
  connection: row.connection,
  status: row.status,
  records: Number(row.records),
  remaining: row.remaining === null ? null : Number(row.remaining),
  error: row.error,
  finishedAt: row.finished_at === null ? null : iso(row.finished_at),
});

/** What each source did for a request, and the request's export bundle. */
export class ResultStore {
  constructor(private readonly db: Knex) {}

  /** Records what each source did for a request (one statement; replaces earlier attempts' rows). */
  async saveSources(requestId: string, results: SourceResult[]) {
    if (results.length) await this.sourcesUpsert([{ requestId, results }]);
  }

  /**
   * The upsert of `saveSources` for one or more requests, not yet run, for
   * an atomic write with their completion (`RequestService.completeMany`).
   * Not async on purpose: awaiting a query builder runs it. There must be
   * at least one result.
   */
  sourcesUpsert(
    entries: Array<{ requestId: string; results: SourceResult[] }>,
  ): Knex.QueryBuilder {
    const rows: SourceRow[] = entries.flatMap(({ requestId, results }) =>
      results.map(result => ({
        request_id: requestId,
        source: result.source,
        connection: result.connection,
        status: result.status,
        records: result.records,
        remaining: result.remaining,
        error: result.error,
        finished_at: result.finishedAt ? new Date(result.finishedAt) : null,
      })),
    );
    return this.db<SourceRow>('privacy_source_results')
      .insert(rows)
      .onConflict(['request_id', 'source'])
      .merge();
  }

  /**
   * The upsert of export rows, not yet run (see sourcesUpsert). One export
   * per request: a re-run replaces the bundle, keeping its id.
   */
  exportsUpsert(records: NewExport[]): Knex.QueryBuilder {
    return this.db('privacy_exports')
      .insert(
        records.map(record => ({
          id: record.id,
          request_id: record.requestId,
          location: record.location,
          sha256: record.sha256,
          size_bytes: record.sizeBytes,
          key_id: record.keyId,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })),
      )
      .onConflict('request_id')
      .merge([
        'location',
        'sha256',
        'size_bytes',
        'key_id',
        'created_at',
        'expires_at',
      ]);
  }

  /**
   * Every export of a subject (by subject lookup hash), in any region, with
   * the region it was stored in; deleted ones included.
   */
  async exportsOfSubject(subjectHash: string): Promise<StoredExport[]> {
    const rows: StoredExportRow[] = await this.db
      .from('privacy_exports as e')
      .join('privacy_requests as r', 'r.id', 'e.request_id')
      .where('r.subject_hash', subjectHash)
      .where('r.type', 'export')
      .select('e.*', 'r.region')
      .orderBy('e.created_at');
    return rows.map(row => ({ ...toExport(row), region: row.region }));
  }

  /** Bundles still kept whose link expired before `now`, oldest first. */
  async expiredExports(now: Date, limit: number): Promise<StoredExport[]> {
    const rows: StoredExportRow[] = await this.db
      .from('privacy_exports as e')
      .join('privacy_requests as r', 'r.id', 'e.request_id')
      .whereNull('e.deleted_at')
      .where('e.expires_at', '<', now)
      .select('e.*', 'r.region')
      .orderBy('e.expires_at')
      .limit(limit);
    return rows.map(row => ({ ...toExport(row), region: row.region }));
  }

  /**
   * Records that bundles were deleted from storage (rows already marked
   * keep their first reason). Returns how many rows it marked.
   */
  async markExportsDeleted(
    ids: string[],
    deletion: { reason: ExportDeletionReason; at: Date; by?: string },
  ): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db('privacy_exports')
      .whereIn('id', ids)
      .whereNull('deleted_at')
      .update({
        deleted_at: deletion.at,
        deleted_reason: deletion.reason,
        deleted_by: deletion.by ?? null,
      });
  }

  async exportById(id: string): Promise<ExportRecord | undefined> {
    const row = await this.db<ExportRow>('privacy_exports')
      .where({ id })
      .first();
    return row ? toExport(row) : undefined;
  }
}
