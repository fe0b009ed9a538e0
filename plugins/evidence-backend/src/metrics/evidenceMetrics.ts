import type { CoverageReport } from '@internal/plugin-evidence-common';
import { addScrapeTimeGauge } from '@internal/plugin-ops-node';
import { Registry } from 'prom-client';
import type { EvidenceMetricsSource } from './EvidenceMetricsStore';

/**
 * The evidence plugin's Prometheus metrics, computed at scrape time from its
 * rows: coverage exactly as `GET /coverage` computes it, and counts of
 * items, collector runs and binders. Labels are types, control points,
 * criteria, collector ids and states: no personal data.
 */
export function createEvidenceMetrics(options: {
  source: EvidenceMetricsSource;
  coverage: { report(): Promise<CoverageReport> };
}): Registry {
  const { source } = options;
  const registry = new Registry();
  addScrapeTimeGauge(registry, {
    name: 'evidence_coverage_points',
    help: 'Control points of each TSC criterion by coverage status (fresh, stale, missing, exception).',
    labelNames: ['criterion', 'status'],
    collect: async () =>
      (await options.coverage.report()).criteria.flatMap(criterion =>
        Object.entries(criterion.counts).map(([status, value]) => ({
          labels: { criterion: criterion.id, status },
          value,
        })),
      ),
  });
  addScrapeTimeGauge(registry, {
    name: 'evidence_items',
    help: 'Evidence items kept, by type and by the control point they support (an item of two points counts in both).',
    labelNames: ['type', 'point'],
    collect: async () =>
      (await source.itemsByTypeAndPoint()).map(({ count, ...labels }) => ({
        labels,
        value: count,
      })),
  });
  addScrapeTimeGauge(registry, {
    name: 'evidence_collector_runs',
    help: 'Collector runs recorded, by collector and state (running, succeeded, failed).',
    labelNames: ['collector', 'state'],
    collect: async () =>
      (await source.runsByCollectorAndState()).map(({ count, ...labels }) => ({
        labels,
        value: count,
      })),
  });
  addScrapeTimeGauge(registry, {
    name: 'evidence_binders',
    help: 'Auditor binders by state (queued, building, ready, failed).',
    labelNames: ['state'],
    collect: async () =>
      (await source.bindersByState()).map(({ count, ...labels }) => ({
        labels,
        value: count,
      })),
  });
  return registry;
}
