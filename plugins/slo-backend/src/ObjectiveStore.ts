import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
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
    const query = this.db<ObjectiveRow>('slo_objectives');
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    return readPage<ObjectiveRow, SloObjective>(query, page, {
      orderBy: [{ column: 'entity_ref' }, { column: 'name' }],
      toItem: row => ({
        id: row.id,
        entityRef: row.entity_ref,
        name: row.name,
        target: Number(row.target),
        windowDays: Number(row.window_days),
        createdAt: new Date(row.created_at).toISOString(),
      }),
    });
  }

  /** Whether an objective with this id exists. */
  async exists(id: string): Promise<boolean> {
    const row = await this.db<ObjectiveRow>('slo_objectives')
      .where('id', id)
      .first('id');
    return row !== undefined;
  }
}
