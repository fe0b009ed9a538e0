import type { SourceResult } from '@internal/plugin-privacy-common';
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
}

export interface ExportRecord {
  id: string;
  requestId: string;
  location: string;
  sha256: string;
  sizeBytes: number;
  keyId: string;
  createdAt: string;
  expiresAt: string;
}

/** An export row to write: its times as Dates. */
export type NewExport = Omit<ExportRecord, 'createdAt' | 'expiresAt'> & {
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

  async exportById(id: string): Promise<ExportRecord | undefined> {
    const row = await this.db<ExportRow>('privacy_exports')
      .where({ id })
      .first();
    return row ? toExport(row) : undefined;
  }
}
