import type { Knex } from 'knex';
import { BINDERS } from '../store/BinderStore';
import { ITEMS, ITEM_POINTS } from '../store/ItemStore';
import { RUNS } from '../store/RunStore';

export interface ItemCount {
  type: string;
  point: string;
  count: number;
}

export interface RunCount {
  collector: string;
  state: string;
  count: number;
}

export interface BinderCount {
  state: string;
  count: number;
}

/** What the evidence metrics count, each in one query. */
export interface EvidenceMetricsSource {
  itemsByTypeAndPoint(): Promise<ItemCount[]>;
  runsByCollectorAndState(): Promise<RunCount[]>;
  bindersByState(): Promise<BinderCount[]>;
}

/** Rows of a grouped count: the group's columns and its count (a string on PostgreSQL). */
type CountRow<K extends string> = Record<K, string> & {
  count: number | string;
};

const counted = <K extends string>(rows: unknown[]) =>
  (rows as CountRow<K>[]).map(row => ({ ...row, count: Number(row.count) }));

/** Counts of the evidence plugin's rows, grouped by their kind and state. */
export class EvidenceMetricsStore implements EvidenceMetricsSource {
  constructor(private readonly db: Knex) {}

  /** Evidence items kept (expired ones are deleted), by type and point they support. */
  async itemsByTypeAndPoint(): Promise<ItemCount[]> {
    return counted<'type' | 'point'>(
      await this.db(`${ITEM_POINTS} as p`)
        .join(`${ITEMS} as i`, 'i.id', 'p.item_id')
        .groupBy('i.type', 'p.point')
        .select('i.type as type', 'p.point as point')
        .count({ count: '*' })
        .orderBy(['type', 'point']),
    );
  }

  async runsByCollectorAndState(): Promise<RunCount[]> {
    return counted<'collector' | 'state'>(
      await this.db(RUNS)
        .groupBy('collector', 'state')
        .select('collector', 'state')
        .count({ count: '*' })
        .orderBy(['collector', 'state']),
    );
  }

  async bindersByState(): Promise<BinderCount[]> {
    return counted<'state'>(
      await this.db(BINDERS)
        .groupBy('state')
        .select('state')
        .count({ count: '*' })
        .orderBy('state'),
    );
  }
}
