import { RUN_STATES } from '@internal/plugin-drills-common';
import { Outbox, addScrapeTimeGauge } from '@internal/plugin-ops-node';
import { Registry } from 'prom-client';
import type { RunService } from '../runs';
import type { DrillsMetricsStore } from './DrillsMetricsStore';

/**
 * The drills plugin's Prometheus metrics, computed at scrape time from its
 * rows: runs by state, the checkpoint pass rate of each scenario exactly as
 * `GET /history` computes it, and the evidence filings waiting in the
 * outbox. Labels are states and scenario ids: no personal data.
 */
export function createDrillsMetrics(options: {
  store: Pick<DrillsMetricsStore, 'runsByState'>;
  runs: Pick<RunService, 'history'>;
  outbox: Pick<Outbox, 'list'>;
}): Registry {
  const registry = new Registry();
  addScrapeTimeGauge(registry, {
    name: 'drills_runs',
    help: 'Drill runs by state (running, finished, aborted).',
    labelNames: ['state'],
    collect: async () => {
      const counts = new Map<string, number>(RUN_STATES.map(s => [s, 0]));
      for (const { state, count } of await options.store.runsByState()) {
        counts.set(state, count);
      }
      return [...counts].map(([state, value]) => ({
        labels: { state },
        value,
      }));
    },
  });
  addScrapeTimeGauge(registry, {
    name: 'drills_checkpoint_pass_ratio',
    help: 'Timed checkpoints reached within their target over all checkpoints of the finished runs of each scenario (one never reached counts as failed).',
    labelNames: ['scenario'],
    collect: async () =>
      (await options.runs.history()).flatMap(scenario =>
        scenario.passRate === null
          ? []
          : [
              {
                labels: { scenario: scenario.scenarioId },
                value: scenario.passRate,
              },
            ],
      ),
  });
  addScrapeTimeGauge(registry, {
    name: 'drills_outbox_pending',
    help: 'Evidence filings of finished runs waiting in the outbox.',
    labelNames: [],
    collect: async () => [
      {
        labels: {},
        value: (await options.outbox.list({ state: 'pending', limit: 1 }))
          .totalCount,
      },
    ],
  });
  return registry;
}
