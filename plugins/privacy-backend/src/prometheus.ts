import type { Knex } from 'knex';
import type { QueueCounts } from '@internal/plugin-ops-node';

/**
 * Prometheus text exposition of the privacy plugin, computed at scrape time
 * from the database (the record) and the queue. No personal data: only
 * counts by state, type and region.
 */
export async function renderPrometheusMetrics(
  db: Knex,
  queue: QueueCounts,
): Promise<string> {
  const byState: Array<{
    state: string;
    type: string;
    region: string;
    n: number | string;
  }> = await db('privacy_requests')
    .select('state', 'type', 'region')
    .count({ n: '*' })
    .groupBy('state', 'type', 'region');
  const overdue: Array<{ type: string; region: string; n: number | string }> =
    await db('privacy_requests')
      .select('type', 'region')
      .count({ n: '*' })
      .whereNotIn('state', ['completed', 'canceled'])
      .where('sla_due_at', '<', new Date())
      .groupBy('type', 'region');
  const lines = [
    '# HELP privacy_requests DSAR requests by state, type and region.',
    '# TYPE privacy_requests gauge',
    ...byState.map(
      r =>
        `privacy_requests{state="${r.state}",type="${r.type}",region="${
          r.region
        }"} ${Number(r.n)}`,
    ),
    '# HELP privacy_requests_overdue Open DSAR requests past their internal SLA.',
    '# TYPE privacy_requests_overdue gauge',
    ...overdue.map(
      r =>
        `privacy_requests_overdue{type="${r.type}",region="${
          r.region
        }"} ${Number(r.n)}`,
    ),
    '# HELP privacy_queue_jobs Jobs of the DSAR queue by status.',
    '# TYPE privacy_queue_jobs gauge',
    ...Object.entries(queue).map(
      ([status, n]) => `privacy_queue_jobs{status="${status}"} ${n}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
