import type { Binder, BinderState } from '@internal/plugin-evidence-common';
import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { iso, isoOrNull } from './rows';

/** The binders table (the metrics count it too). */
export const BINDERS = 'evidence_binders';

export interface BinderRow {
  id: string;
  period_start: Date | string | number;
  period_end: Date | string | number;
  points: string;
  state: BinderState;
  files_done: number;
  files_total: number;
  bytes_done: number | string;
  bytes_total: number | string;
  blob_key: string | null;
  sha256: string | null;
  size_bytes: number | string | null;
  created_by: string;
  created_at: Date | string | number;
  finished_at: Date | string | number | null;
  error: string | null;
}

export const toBinder = (row: BinderRow): Binder => ({
  id: row.id,
  periodStart: iso(row.period_start),
  periodEnd: iso(row.period_end),
  points: JSON.parse(row.points),
  state: row.state,
  progress: {
    files: Number(row.files_done),
    totalFiles: Number(row.files_total),
    bytes: Number(row.bytes_done),
    totalBytes: Number(row.bytes_total),
  },
  sha256: row.sha256,
  sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
  createdBy: row.created_by,
  createdAt: iso(row.created_at),
  finishedAt: isoOrNull(row.finished_at),
  error: row.error,
});

/** Binder rows: queued, building (with progress), then ready or failed. */
export class BinderStore {
  constructor(private readonly db: Knex) {}

  async insert(binder: {
    id: string;
    periodStart: Date;
    periodEnd: Date;
    points: string[];
    createdBy: string;
    createdAt: Date;
  }): Promise<void> {
    await this.db(BINDERS).insert({
      id: binder.id,
      period_start: binder.periodStart,
      period_end: binder.periodEnd,
      points: JSON.stringify(binder.points),
      state: 'queued',
      created_by: binder.createdBy,
      created_at: binder.createdAt,
    });
  }

  async get(id: string): Promise<BinderRow | undefined> {
    return this.db<BinderRow>(BINDERS).where({ id }).first();
  }

  async list(page: PageQuery): Promise<Page<Binder>> {
    return readPage<BinderRow, Binder>(this.db<BinderRow>(BINDERS), page, {
      orderBy: [
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ],
      toItem: toBinder,
    });
  }

  /** Binders waiting or left building by a process that stopped, oldest first. */
  async unfinished(): Promise<BinderRow[]> {
    return this.db<BinderRow>(BINDERS)
      .whereIn('state', ['queued', 'building'])
      .orderBy('created_at');
  }

  async startBuilding(id: string, totals: { files: number; bytes: number }) {
    await this.db(BINDERS).where({ id }).update({
      state: 'building',
      files_done: 0,
      bytes_done: 0,
      files_total: totals.files,
      bytes_total: totals.bytes,
      error: null,
    });
  }

  async progress(id: string, done: { files: number; bytes: number }) {
    await this.db(BINDERS)
      .where({ id, state: 'building' })
      .update({ files_done: done.files, bytes_done: done.bytes });
  }

  async ready(
    id: string,
    result: { blobKey: string; sha256: string; sizeBytes: number; at: Date },
  ) {
    await this.db(BINDERS)
      .where({ id })
      .update({
        state: 'ready',
        files_done: this.db.ref('files_total'),
        bytes_done: this.db.ref('bytes_total'),
        blob_key: result.blobKey,
        sha256: result.sha256,
        size_bytes: result.sizeBytes,
        finished_at: result.at,
      });
  }

  async failed(id: string, error: string, at: Date) {
    await this.db(BINDERS)
      .where({ id })
      .update({ state: 'failed', error, finished_at: at });
  }
}
