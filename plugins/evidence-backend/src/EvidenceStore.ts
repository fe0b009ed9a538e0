import {
  CriterionCoverage,
  CriterionId,
  EvidenceItem,
  TSC_CRITERIA,
} from '@internal/plugin-evidence-common';
import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';

interface EvidenceRow {
  id: string;
  criterion: CriterionId;
  title: string;
  source: string;
  sha256: string;
  collected_at: Date | string | number;
  retain_until: Date | string | number;
}

const iso = (value: Date | string | number) => new Date(value).toISOString();

/** The evidence_items table. */
export class EvidenceStore {
  constructor(private readonly db: Knex) {}

  /** Newest first. */
  async list(
    filter: { criterion?: CriterionId },
    page: PageQuery,
  ): Promise<Page<EvidenceItem>> {
    const query = this.db<EvidenceRow>('evidence_items');
    if (filter.criterion) query.where('criterion', filter.criterion);
    return readPage<EvidenceRow, EvidenceItem>(query, page, {
      orderBy: [
        { column: 'collected_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ],
      toItem: row => ({
        id: row.id,
        criterion: row.criterion,
        title: row.title,
        source: row.source,
        sha256: row.sha256,
        collectedAt: iso(row.collected_at),
        retainUntil: iso(row.retain_until),
      }),
    });
  }

  /** Item count and newest item per criterion, CC1 to CC9, zero where none. */
  async coverage(): Promise<CriterionCoverage[]> {
    const rows: Array<{
      criterion: string;
      item_count: number | string;
      last: unknown;
    }> = await this.db('evidence_items')
      .select('criterion')
      .count({ item_count: '*' })
      .max({ last: 'collected_at' })
      .groupBy('criterion');
    const byCriterion = new Map(rows.map(row => [row.criterion, row]));
    return TSC_CRITERIA.map(({ id, title }) => {
      const row = byCriterion.get(id);
      return {
        id,
        title,
        itemCount: row ? Number(row.item_count) : 0,
        lastCollectedAt: row?.last ? iso(row.last as string) : null,
      };
    });
  }
}
