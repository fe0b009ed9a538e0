import { addScrapeTimeGauge, type Outbox } from '@internal/plugin-ops-node';
import { Registry } from 'prom-client';
import type { AlertStore } from '../alerts';
import type { PipelineStatus } from '../stream';

/**
 * The security plugin's Prometheus metrics, computed at scrape time: alerts
 * by rule, severity and status from the database; this process's pipeline
 * counters; notifications waiting in the outbox. Labels are rule ids,
 * severities, statuses and skip reasons: never an address or a user.
 */
export function createSecurityMetrics(options: {
  alerts: Pick<AlertStore, 'countsBy'>;
  pipeline: Pick<PipelineStatus, 'stats' | 'rules' | 'queued'>;
  outbox: Pick<Outbox, 'list'>;
}): Registry {
  const { alerts, pipeline, outbox } = options;
  // The stats read the shared stream (two queries): one read serves every
  // gauge of a scrape, and is reused for a second.
  let recent: ReturnType<PipelineStatus['stats']> | undefined;
  const stats = () => {
    recent ??= pipeline.stats().finally(() => {
      setTimeout(() => (recent = undefined), 1000).unref();
    });
    return recent;
  };
  const registry = new Registry();
  addScrapeTimeGauge(registry, {
    name: 'security_alerts',
    help: 'Security alerts stored, by rule, severity and status.',
    labelNames: ['rule', 'severity', 'status'],
    collect: async () =>
      (await alerts.countsBy()).map(r => ({
        labels: { rule: r.ruleId, severity: r.severity, status: r.status },
        value: r.count,
      })),
  });
  const counter = (
    name: string,
    help: string,
    value: () => number | Promise<number>,
  ) =>
    addScrapeTimeGauge(registry, {
      name,
      help,
      labelNames: [],
      collect: async () => [{ labels: {}, value: await value() }],
    });
  counter(
    'security_pipeline_entries',
    'Log entries the live pipeline read since this process started.',
    async () => (await stats()).entries,
  );
  counter(
    'security_pipeline_events',
    'ECS events this process normalized since it started.',
    async () => (await stats()).events,
  );
  counter(
    'security_pipeline_dropped',
    'Entries dropped because the pipeline queue was full, since start.',
    async () => (await stats()).dropped,
  );
  counter(
    'security_pipeline_late',
    'Events dropped by the rules as too late, since start.',
    async () => (await stats()).late,
  );
  counter(
    'security_pipeline_alerts',
    'Alerts the detector raised while it ran in this process, since start.',
    async () => (await stats()).alerts,
  );
  counter(
    'security_pipeline_stream_lag',
    'Events in the shared stream the rules have not read yet (all replicas).',
    async () => (await stats()).streamLag,
  );
  counter(
    'security_pipeline_pending_events',
    'Events waiting in this process to be appended to the shared stream.',
    async () => (await stats()).pendingEvents,
  );
  counter(
    'security_pipeline_queued',
    'Entries waiting in the pipeline queue now.',
    () => pipeline.queued,
  );
  addScrapeTimeGauge(registry, {
    name: 'security_pipeline_skipped',
    help: 'Entries skipped since start, by reason.',
    labelNames: ['reason'],
    collect: async () =>
      Object.entries((await stats()).skipped).map(([reason, value]) => ({
        labels: { reason },
        value,
      })),
  });
  addScrapeTimeGauge(registry, {
    name: 'security_rule_keys',
    help: 'Group keys each rule tracks now (bounded by maxKeysPerRule).',
    labelNames: ['rule'],
    collect: async () =>
      pipeline.rules().map(rule => ({
        labels: { rule: rule.id },
        value: rule.stats.keys,
      })),
  });
  addScrapeTimeGauge(registry, {
    name: 'security_notifications_pending',
    help: 'Alert notifications waiting in the outbox for the SLO plugin.',
    labelNames: [],
    collect: async () => [
      {
        labels: {},
        value: (await outbox.list({ state: 'pending', limit: 1 })).totalCount,
      },
    ],
  });
  return registry;
}
