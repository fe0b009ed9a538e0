import { QueueCounts, addScrapeTimeGauge } from '@internal/plugin-ops-node';
import { Registry } from 'prom-client';
import type { RequestStore } from './requests/RequestStore';

/**
 * The privacy plugin's Prometheus metrics, computed at scrape time from the
 * database (the record) and the queue. No personal data: only counts by
 * state, type and region.
 */
export function createPrivacyMetrics(options: {
  store: Pick<RequestStore, 'countByState' | 'countOverdue'>;
  queue: { counts(): Promise<QueueCounts> };
}): Registry {
  const registry = new Registry();
  addScrapeTimeGauge(registry, {
    name: 'privacy_requests',
    help: 'DSAR requests by state, type and region.',
    labelNames: ['state', 'type', 'region'],
    collect: async () =>
      (await options.store.countByState()).map(({ count, ...labels }) => ({
        labels,
        value: count,
      })),
  });
  addScrapeTimeGauge(registry, {
    name: 'privacy_requests_overdue',
    help: 'Open DSAR requests past their internal SLA.',
    labelNames: ['type', 'region'],
    collect: async () =>
      (await options.store.countOverdue(new Date())).map(
        ({ count, ...labels }) => ({
          labels,
          value: count,
        }),
      ),
  });
  addScrapeTimeGauge(registry, {
    name: 'privacy_queue_jobs',
    help: 'Jobs of the DSAR queue by status.',
    labelNames: ['status'],
    collect: async () =>
      Object.entries(await options.queue.counts()).map(([status, value]) => ({
        labels: { status },
        value,
      })),
  });
  return registry;
}
