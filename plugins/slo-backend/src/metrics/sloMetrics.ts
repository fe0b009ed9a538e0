import { GaugeSample, addScrapeTimeGauge } from '@internal/plugin-ops-node';
import { Registry } from 'prom-client';
import type {
  FiringCount,
  ObjectiveEvaluation,
  PendingCount,
  SloMetricsSource,
} from './SloMetricsStore';

type ObjectiveLabel = 'objective' | 'service';

/** The severities of alert tiers. */
const SEVERITIES = ['page', 'ticket'] as const;

const labelsOf = (e: ObjectiveEvaluation) => ({
  objective: e.objective,
  service: e.service,
});

/**
 * The per-objective figures of the latest evaluations, as the evaluation
 * stored them: the SLI and budget only once the window had traffic (as the
 * overview shows them), a burn rate only for windows with traffic (no
 * traffic is a gap, not zero).
 */
export function evaluationSamples(evaluations: ObjectiveEvaluation[]): {
  target: GaugeSample<ObjectiveLabel>[];
  sli: GaugeSample<ObjectiveLabel>[];
  budgetRemaining: GaugeSample<ObjectiveLabel>[];
  burnRate: GaugeSample<ObjectiveLabel | 'window'>[];
} {
  const samples = {
    target: [] as GaugeSample<ObjectiveLabel>[],
    sli: [] as GaugeSample<ObjectiveLabel>[],
    budgetRemaining: [] as GaugeSample<ObjectiveLabel>[],
    burnRate: [] as GaugeSample<ObjectiveLabel | 'window'>[],
  };
  for (const evaluation of evaluations) {
    const labels = labelsOf(evaluation);
    samples.target.push({ labels, value: evaluation.target });
    const status = evaluation.status;
    if (!status) continue;
    if (status.sli !== null) {
      samples.sli.push({ labels, value: status.sli });
      samples.budgetRemaining.push({
        labels,
        value: status.budgetRemaining,
      });
    }
    for (const [window, burn] of Object.entries(status.burnRates)) {
      if (burn.noTraffic) continue;
      samples.burnRate.push({
        labels: { ...labels, window },
        value: burn.burnRate,
      });
    }
  }
  return samples;
}

/**
 * Firing alerts per objective and severity: 0 for every known objective
 * without one, and alerts of objectives no longer discovered under an
 * empty service.
 */
export function firingSamples(
  evaluations: ObjectiveEvaluation[],
  firing: FiringCount[],
): GaugeSample<ObjectiveLabel | 'severity'>[] {
  const key = (objective: string, severity: string) =>
    `${objective}\u0000${severity}`;
  const counts = new Map(
    firing.map(f => [key(f.objective, f.severity), f.count]),
  );
  const samples: GaugeSample<ObjectiveLabel | 'severity'>[] = [];
  for (const evaluation of evaluations) {
    for (const severity of SEVERITIES) {
      const k = key(evaluation.objective, severity);
      samples.push({
        labels: { ...labelsOf(evaluation), severity },
        value: counts.get(k) ?? 0,
      });
      counts.delete(k);
    }
  }
  for (const f of firing) {
    if (!counts.has(key(f.objective, f.severity))) continue;
    samples.push({
      labels: { objective: f.objective, service: '', severity: f.severity },
      value: f.count,
    });
  }
  return samples;
}

/** Pending deliveries per target: 0 for every configured target with none. */
export function pendingSamples(
  targets: readonly string[],
  pending: PendingCount[],
): GaugeSample<'target'>[] {
  const counts = new Map(targets.map(target => [target, 0]));
  for (const p of pending) counts.set(p.target, p.count);
  return [...counts].map(([target, value]) => ({
    labels: { target },
    value,
  }));
}

/** `read` once for all the gauges collected by one scrape. */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/**
 * The SLO plugin's Prometheus metrics, computed at scrape time from the
 * latest stored evaluation of each objective (what the SLO page shows),
 * the firing alerts and the outbox. Labels are objective ids, service
 * names, windows, severities and target names: no personal data.
 */
export function createSloMetrics(options: {
  source: SloMetricsSource;
  /** The configured notification targets, reported even when idle. */
  targets: readonly string[];
}): Registry {
  const { source } = options;
  const registry = new Registry();
  const evaluations = sharedPerScrape(() => source.latestEvaluations());
  const perObjective = async () => evaluationSamples(await evaluations());
  const objectiveLabels = ['objective', 'service'] as const;

  addScrapeTimeGauge(registry, {
    name: 'slo_objective_target',
    help: 'The objective: the share of good events (or time slices) aimed at over its window.',
    labelNames: objectiveLabels,
    collect: async () => (await perObjective()).target,
  });
  addScrapeTimeGauge(registry, {
    name: 'slo_sli_ratio',
    help: 'Good over total over the objective window, as of the latest evaluation; absent without traffic.',
    labelNames: objectiveLabels,
    collect: async () => (await perObjective()).sli,
  });
  addScrapeTimeGauge(registry, {
    name: 'slo_error_budget_remaining_ratio',
    help: 'Error budget remaining over the objective window: 1 untouched, 0 spent, below 0 overspent.',
    labelNames: objectiveLabels,
    collect: async () => (await perObjective()).budgetRemaining,
  });
  addScrapeTimeGauge(registry, {
    name: 'slo_burn_rate',
    help: 'Error budget burn rate per window (1 spends the budget exactly over the objective window); absent for a window without traffic.',
    labelNames: [...objectiveLabels, 'window'],
    collect: async () => (await perObjective()).burnRate,
  });
  addScrapeTimeGauge(registry, {
    name: 'slo_alerts_firing',
    help: 'Firing SLO alerts (acknowledged or silenced included) by objective and severity.',
    labelNames: [...objectiveLabels, 'severity'],
    collect: async () => {
      const [all, firing] = await Promise.all([
        evaluations(),
        source.firingAlerts(),
      ]);
      return firingSamples(all, firing);
    },
  });
  addScrapeTimeGauge(registry, {
    name: 'slo_notifications_pending',
    help: 'Alert notifications waiting in the outbox, by target.',
    labelNames: ['target'],
    collect: async () =>
      pendingSamples(options.targets, await source.pendingNotifications()),
  });
  return registry;
}
