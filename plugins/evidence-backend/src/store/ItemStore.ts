import type {
  EvidenceCadence,
  EvidenceItem,
} from '@internal/plugin-evidence-common';
import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { iso, likeContains } from './rows';

export const ITEMS = 'evidence_items';
export const ITEM_POINTS = 'evidence_item_points';

export interface ItemRow {
  id: string;
  type: string;
  title: string;
  collector: string | null;
  run_id: string | null;
  entity_ref: string | null;
  period_start: Date | string | number;
  period_end: Date | string | number;
  collected_at: Date | string | number;
  filed_by: string;
  sha256: string;
  size_bytes: number | string;
  media_type: string;
  file_name: string;
  blob_key: string;
  cadence: string;
  retain_until: Date | string | number;
  legal_hold: boolean | number;
  summary: string;
}

/** An item as filed: everything but the points' own rows. */
export interface NewItem {
  id: string;
  type: string;
  title: string;
  points: string[];
  collector: string | null;
  runId: string | null;
  entityRef: string | null;
  periodStart: Date;
  periodEnd: Date;
  collectedAt: Date;
  filedBy: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  fileName: string;
  blobKey: string;
  cadence: EvidenceCadence;
  retainUntil: Date;
  summary: Record<string, unknown>;
}

export interface ItemFilter {
  point?: string;
  type?: string;
  collector?: string;
  entityRef?: string;
  runId?: string;
  q?: string;
}

/** What coverage needs to know of one point's evidence. */
export interface PointStats {
  point: string;
  itemCount: number;
  lastCollectedAt: Date | null;
  lastPeriodEnd: Date | null;
  /** The collectors that filed evidence for it. */
  collectors: string[];
}

function parseSummary(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/**
 * The evidence_items table and its points. Rows are inserted and never
 * changed, except the legal hold; deletion is refused before the retention
 * date here and, on PostgreSQL, by a trigger.
 */
export class ItemStore {
  constructor(private readonly db: Knex) {}

  async insert(item: NewItem, trx: Knex.Transaction): Promise<void> {
    await trx(ITEMS).insert({
      id: item.id,
      type: item.type,
      title: item.title,
      collector: item.collector,
      run_id: item.runId,
      entity_ref: item.entityRef,
      period_start: item.periodStart,
      period_end: item.periodEnd,
      collected_at: item.collectedAt,
      filed_by: item.filedBy,
      sha256: item.sha256,
      size_bytes: item.sizeBytes,
      media_type: item.mediaType,
      file_name: item.fileName,
      blob_key: item.blobKey,
      cadence: item.cadence,
      retain_until: item.retainUntil,
      legal_hold: false,
      summary: JSON.stringify(item.summary),
    });
    if (item.points.length > 0) {
      await trx(ITEM_POINTS).insert(
        [...new Set(item.points)].map(point => ({
          item_id: item.id,
          point,
          period_end: item.periodEnd,
        })),
      );
    }
  }

  async get(
    id: string,
    trx: Knex = this.db,
  ): Promise<EvidenceItem | undefined> {
    const row: ItemRow | undefined = await trx<ItemRow>(ITEMS)
      .where({ id })
      .first();
    if (!row) return undefined;
    const [item] = await this.#withPoints([row], trx);
    return item;
  }

  /** The stored blob key of an item. */
  async blobKeyOf(
    id: string,
    trx: Knex = this.db,
  ): Promise<string | undefined> {
    const row = await trx<ItemRow>(ITEMS)
      .select('blob_key')
      .where({ id })
      .first();
    return row?.blob_key;
  }

  /** Newest collected first. */
  async list(filter: ItemFilter, page: PageQuery): Promise<Page<EvidenceItem>> {
    const query = this.db<ItemRow>(ITEMS);
    if (filter.type) query.where('type', filter.type);
    if (filter.collector) query.where('collector', filter.collector);
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    if (filter.runId) query.where('run_id', filter.runId);
    if (filter.point) {
      query.whereIn(
        'id',
        this.db(ITEM_POINTS).select('item_id').where('point', filter.point),
      );
    }
    if (filter.q) {
      const pattern = likeContains(filter.q.toLowerCase());
      query.where(inner =>
        inner
          .whereRaw(`lower(title) like ? escape '\\'`, [pattern])
          .orWhereRaw(`lower(file_name) like ? escape '\\'`, [pattern]),
      );
    }
    const page_ = await readPage<ItemRow, ItemRow>(query, page, {
      orderBy: [
        { column: 'collected_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ],
      toItem: row => row,
    });
    return { ...page_, items: await this.#withPoints(page_.items) };
  }

  /** Every item whose period overlaps [start, end) and that supports one of `points`. */
  async forPeriod(
    start: Date,
    end: Date,
    points: string[],
  ): Promise<Array<EvidenceItem & { blobKey: string }>> {
    const rows: ItemRow[] = await this.db<ItemRow>(ITEMS)
      .where('period_start', '<', end)
      .andWhere('period_end', '>=', start)
      .whereIn(
        'id',
        this.db(ITEM_POINTS).select('item_id').whereIn('point', points),
      )
      .orderBy([{ column: 'collected_at' }, { column: 'id' }]);
    const items = await this.#withPoints(rows);
    return items.map((item, i) => ({ ...item, blobKey: rows[i].blob_key }));
  }

  /** The newest item of a type (optionally for one entity), with its blob key. */
  async latestOfType(
    type: string,
    entityRef?: string,
  ): Promise<(EvidenceItem & { blobKey: string }) | undefined> {
    const query = this.db<ItemRow>(ITEMS).where({ type });
    if (entityRef) query.where('entity_ref', entityRef);
    const row = await query
      .orderBy([
        { column: 'collected_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    if (!row) return undefined;
    const [item] = await this.#withPoints([row]);
    return { ...item, blobKey: row.blob_key };
  }

  /** Per point: how many items, the newest collection and the latest period end. */
  async pointStats(): Promise<PointStats[]> {
    const rows: Array<{
      point: string;
      item_count: number | string;
      last_collected: Date | string | number | null;
      last_period_end: Date | string | number | null;
    }> = await this.db(`${ITEM_POINTS} as p`)
      .join(`${ITEMS} as i`, 'i.id', 'p.item_id')
      .select('p.point')
      .count({ item_count: '*' })
      .max({ last_collected: 'i.collected_at' })
      .max({ last_period_end: 'p.period_end' })
      .groupBy('p.point');
    const collectors: Array<{ point: string; collector: string }> =
      await this.db(`${ITEM_POINTS} as p`)
        .join(`${ITEMS} as i`, 'i.id', 'p.item_id')
        .distinct('p.point', 'i.collector')
        .whereNotNull('i.collector');
    const byPoint = new Map<string, string[]>();
    for (const { point, collector } of collectors) {
      byPoint.set(point, [...(byPoint.get(point) ?? []), collector]);
    }
    return rows.map(row => ({
      point: row.point,
      itemCount: Number(row.item_count),
      lastCollectedAt: row.last_collected
        ? new Date(iso(row.last_collected))
        : null,
      lastPeriodEnd: row.last_period_end
        ? new Date(iso(row.last_period_end))
        : null,
      collectors: byPoint.get(row.point) ?? [],
    }));
  }

  /**
   * Per point, the newest period end of each cadence: freshness depends on
   * the cadence of the evidence type, so a point is fresh when any of its
   * evidence is still within its own cadence.
   */
  async newestPerPointAndCadence(): Promise<
    Array<{ point: string; cadence: EvidenceCadence; lastPeriodEnd: Date }>
  > {
    const rows: Array<{
      point: string;
      cadence: EvidenceCadence;
      last: Date | string | number;
    }> = await this.db(`${ITEM_POINTS} as p`)
      .join(`${ITEMS} as i`, 'i.id', 'p.item_id')
      .select('p.point', 'i.cadence')
      .max({ last: 'p.period_end' })
      .groupBy('p.point', 'i.cadence');
    return rows.map(row => ({
      point: row.point,
      cadence: row.cadence,
      lastPeriodEnd: new Date(iso(row.last)),
    }));
  }

  async setLegalHold(id: string, hold: boolean, trx: Knex.Transaction) {
    return trx<ItemRow>(ITEMS).where({ id }).update({ legal_hold: hold });
  }

  /** Items past retention and not on hold, oldest first. */
  async expired(now: Date, limit: number): Promise<ItemRow[]> {
    return this.db<ItemRow>(ITEMS)
      .where('retain_until', '<=', now)
      .andWhere('legal_hold', false)
      .orderBy('retain_until')
      .limit(limit);
  }

  /** Deletes the row; the caller has checked retention and hold. */
  async delete(id: string, trx: Knex.Transaction): Promise<number> {
    await trx(ITEM_POINTS).where({ item_id: id }).delete();
    return trx(ITEMS).where({ id }).delete();
  }

  /** Whether any row still refers to a blob. */
  async blobInUse(blobKey: string, trx: Knex = this.db): Promise<boolean> {
    const row = await trx(ITEMS)
      .select('id')
      .where({ blob_key: blobKey })
      .first();
    return Boolean(row);
  }

  async #withPoints(
    rows: ItemRow[],
    trx: Knex = this.db,
  ): Promise<EvidenceItem[]> {
    if (rows.length === 0) return [];
    const points: Array<{ item_id: string; point: string }> = await trx(
      ITEM_POINTS,
    )
      .select('item_id', 'point')
      .whereIn(
        'item_id',
        rows.map(r => r.id),
      )
      .orderBy('point');
    const byItem = new Map<string, string[]>();
    for (const { item_id, point } of points) {
      byItem.set(item_id, [...(byItem.get(item_id) ?? []), point]);
    }
    return rows.map(row => toItem(row, byItem.get(row.id) ?? []));
  }
}

export function toItem(row: ItemRow, points: string[]): EvidenceItem {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    points,
    collector: row.collector,
    runId: row.run_id,
    entityRef: row.entity_ref,
    periodStart: iso(row.period_start),
    periodEnd: iso(row.period_end),
    collectedAt: iso(row.collected_at),
    filedBy: row.filed_by,
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    mediaType: row.media_type,
    fileName: row.file_name,
    cadence: row.cadence as EvidenceCadence,
    retainUntil: iso(row.retain_until),
    legalHold: Boolean(row.legal_hold),
    summary: parseSummary(row.summary),
  };
}
