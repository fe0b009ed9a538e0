import type { DrillRun, DrillRunState } from '@internal/plugin-drills-common';
import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';

interface RunRow {
  id: string;
  scenario_id: string;
  state: DrillRunState;
  lead: string;
  scheduled_for: Date | string | number;
  started_at: Date | string | number | null;
  completed_at: Date | string | number | null;
}

const iso = (value: Date | string | number) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | number | null) =>
  value === null ? null : iso(value);

/** The drill_runs table. */
export class RunStore {
  constructor(private readonly db: Knex) {}

  /** Most recently scheduled first. */
  async list(
    filter: { state?: DrillRunState },
    page: PageQuery,
  ): Promise<Page<DrillRun>> {
    const query = this.db<RunRow>('drill_runs');
    if (filter.state) query.where('state', filter.state);
    return readPage<RunRow, DrillRun>(query, page, {
      orderBy: [
        { column: 'scheduled_for', order: 'desc' },
        { column: 'id', order: 'desc' },
      ],
      toItem: row => ({
        id: row.id,
        scenarioId: row.scenario_id,
        state: row.state,
        lead: row.lead,
        scheduledFor: iso(row.scheduled_for),
        startedAt: isoOrNull(row.started_at),
        completedAt: isoOrNull(row.completed_at),
      }),
    });
  }
}
