import { DAY_MS } from '@internal/plugin-ops-common';
import { QueueCounts, addScrapeTimeGauge } from '@internal/plugin-ops-node';
import { Registry } from 'prom-client';
import type { RequestStore } from '../requests/RequestStore';
import type { ActivityStore } from './ActivityStore';
import { completionQuantiles, isPersonalDataAccess } from './activity';

export { ActivityStore } from './ActivityStore';

/** The window of the completion, consent and audit gauges. */
export const ACTIVITY_WINDOW_DAYS = 30;

/**
 * The privacy plugin's Prometheus metrics, computed at scrape time from the
 * database (the record) and the queue. No personal data: only counts and
 * durations by state, type, region, purpose and audit type.
 */
export function createPrivacyMetrics(options: {
  store: Pick<RequestStore, 'countByState' | 'countOverdue'>;
  queue: { counts(): Promise<QueueCounts> };
  activity: Pick<
    ActivityStore,
    'completionDurations' | 'consentChanges' | 'auditEvents'
  >;
  /** The clock; defaults to the system's. */
  now?: () => Date;
}): Registry {
  const { activity, now = () => new Date() } = options;
  const since = () => new Date(now().getTime() - ACTIVITY_WINDOW_DAYS * DAY_MS);
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
      (await options.store.countOverdue(now())).map(({ count, ...labels }) => ({
        labels,
        value: count,
      })),
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
  addScrapeTimeGauge(registry, {
    name: 'privacy_request_completion_seconds',
    help: 'Time from receipt to completion of the DSAR requests completed in the last 30 days (nearest-rank quantiles).',
    labelNames: ['quantile', 'type', 'region'],
    collect: async () =>
      completionQuantiles(await activity.completionDurations(since())),
  });
  addScrapeTimeGauge(registry, {
    name: 'privacy_consent_events',
    help: 'Consent grants and withdrawals recorded in the last 30 days.',
    labelNames: ['purpose', 'state'],
    collect: async () =>
      (await activity.consentChanges(since())).map(
        ({ purpose, granted, count }) => ({
          labels: { purpose, state: granted ? 'granted' : 'withdrawn' },
          value: count,
        }),
      ),
  });
  addScrapeTimeGauge(registry, {
    name: 'privacy_audit_events',
    help: 'Events of the privacy audit chain in the last 30 days, by type.',
    labelNames: ['type'],
    collect: async () =>
      (await activity.auditEvents(since())).map(({ type, count }) => ({
        labels: { type },
        value: count,
      })),
  });
  addScrapeTimeGauge(registry, {
    name: 'privacy_personal_data_access',
    help: 'Audit events that read personal data (exports collected, export bundles downloaded, subject ids shown) in the last 30 days, by type.',
    labelNames: ['type'],
    collect: async () =>
      (await activity.auditEvents(since()))
        .filter(({ type }) => isPersonalDataAccess(type))
        .map(({ type, count }) => ({ labels: { type }, value: count })),
  });
  return registry;
}
