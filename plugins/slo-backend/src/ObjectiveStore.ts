import type { Page, PageQuery } from '@internal/plugin-ops-node';
import type { SloObjective } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';

interface ObjectiveRow {
  id: string;
  entity_ref: string;
  name: string;
  target: number;
  window_days: number;
  created_at: Date | string | number;
}

/** The slo_objectives table. */
export class ObjectiveStore {
  constructor(private readonly db: Knex) {}

  async list(
    filter: { entityRef?: string },
    page: PageQuery,
  ): Promise<Page<SloObjective>> {
    const scoped = () => {
      const query = this.db<ObjectiveRow>('slo_objectives');
      return filter.entityRef
        ? query.where('entity_ref', filter.entityRef)
        : query;
    };
    const [{ count }] = await scoped().count({ count: '*' });
    const rows = await scoped()
      .select('*')
      .orderBy([{ column: 'entity_ref' }, { column: 'name' }])
      .limit(page.limit)
      .offset(page.offset);
    return {
      items: rows.map(row => ({
        id: row.id,
        entityRef: row.entity_ref,
        name: row.name,
        target: Number(row.target),
        windowDays: Number(row.window_days),
        createdAt: new Date(row.created_at).toISOString(),
      })),
      totalCount: Number(count),
      ...page,
    };
  }
}
