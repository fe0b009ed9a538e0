import type {
  BurnRate,
  SloAlertTier,
  SloAlertTransitionKind,
  SloEvaluation,
  SloTierEvaluation,
  SloTimeWindow,
} from '@internal/plugin-slo-common';
import { burnRateOfGood, budgetRemaining, thresholdForShare } from './burnRate';
import { parseDuration, sumWindow, windowRange, WindowSums } from './windows';

/**
 * The default multiwindow, multi-burn-rate tiers, as budget shares so they
 * scale to any period. Three are the SRE Workbook's recommended table
 * ("Alerting on SLOs", multiwindow multi-burn-rate alerts): page at 2% of the
 * budget in 1h (short window 5m), page at 5% in 6h (30m), ticket at 10% in 3d
 * (6h). The issue adds a ticket at 10% in 1d (2h). For a 30-day period the
 * thresholds are 14.4, 6, 3 and 1.
 */
export const DEFAULT_TIERS: readonly SloAlertTier[] = [
  {
    name: 'page-1h',
    severity: 'page',
    budgetShare: 0.02,
    longWindow: '1h',
    shortWindow: '5m',
  },
  {
    name: 'page-6h',
    severity: 'page',
    budgetShare: 0.05,
    longWindow: '6h',
    shortWindow: '30m',
  },
  {
    name: 'ticket-1d',
    severity: 'ticket',
    budgetShare: 0.1,
    longWindow: '1d',
    shortWindow: '2h',
  },
  {
    name: 'ticket-3d',
    severity: 'ticket',
    budgetShare: 0.1,
    longWindow: '3d',
    shortWindow: '6h',
  },
];

/** Windows whose burn rate every evaluation reports (tier windows are added). */
export const DEFAULT_BURN_WINDOWS: readonly string[] = [
  '5m',
  '30m',
  '1h',
  '2h',
  '6h',
  '1d',
  '3d',
];

/**
 * Relative tolerance when comparing a burn rate with a threshold, so that a
 * burn of exactly 14.4 is not lost to floating point (0.02 × 720 ≠ 14.4).
 */
const EPSILON = 1e-9;

/** What {@link evaluate} needs to know about an objective. */
export interface EvaluableObjective {
  /** The objective's id; alerts are deduplicated on `${ref}:${tier}`. */
  ref: string;
  /** e.g. 0.999 */
  target: number;
  window: SloTimeWindow;
  /** Defaults to {@link DEFAULT_TIERS}. */
  tiers?: readonly SloAlertTier[];
  /** Defaults to {@link DEFAULT_BURN_WINDOWS}. */
  burnWindows?: readonly string[];
}

/**
 * The longest window {@link evaluate} will sum for an objective: size a
 * {@link RunningSums} with it. Calendar months count as 31 days.
 */
export function longestWindowMs(objective: EvaluableObjective): number {
  const tiers = objective.tiers ?? DEFAULT_TIERS;
  const names = [
    ...(objective.burnWindows ?? DEFAULT_BURN_WINDOWS),
    ...tiers.flatMap(t => [t.longWindow, t.shortWindow]),
  ];
  const own =
    objective.window.kind === 'rolling'
      ? parseDuration(objective.window.duration)
      : (objective.window.unit === 'month' ? 31 : 7) * 24 * 60 * 60_000;
  return Math.max(own, ...names.map(parseDuration));
}

/**
 * Evaluates an objective as of minute `at` (inclusive) from window sums
 * (a {@link PrefixSums} or {@link RunningSums}; for timeslices budgeting,
 * sums over slice buckets). A tier fires when both its long and short
 * windows burn at or above its threshold; it resolves as soon as either
 * falls back below, which in practice is the short window (the long one
 * lags). This is the same condition as the generated Prometheus rules.
 */
export function evaluate(
  objective: EvaluableObjective,
  sums: WindowSums,
  at: number,
): SloEvaluation {
  const { target } = objective;
  const range = windowRange(objective.window, at);
  const whole = sums.sum(range.fromExclusive, range.toInclusive);
  const burnFor = (name: string): BurnRate => {
    const c = sumWindow(sums, parseDuration(name), at);
    return burnRateOfGood(c.good, c.total, target);
  };

  const burnRates: Record<string, BurnRate> = {};
  const tiers = (objective.tiers ?? DEFAULT_TIERS).filter(
    t => t.enabled !== false,
  );
  for (const name of [
    ...(objective.burnWindows ?? DEFAULT_BURN_WINDOWS),
    ...tiers.flatMap(t => [t.longWindow, t.shortWindow]),
  ]) {
    burnRates[name] ??= burnFor(name);
  }

  const tierResults: SloTierEvaluation[] = tiers.map(t => {
    const threshold = thresholdForShare(
      t.budgetShare,
      range.periodMs,
      parseDuration(t.longWindow),
    );
    const long = burnRates[t.longWindow];
    const short = burnRates[t.shortWindow];
    const reaches = (b: BurnRate) =>
      !b.noTraffic && b.burnRate >= threshold * (1 - EPSILON);
    return {
      name: t.name,
      severity: t.severity,
      threshold,
      long,
      short,
      firing: reaches(long) && reaches(short),
    };
  });

  return {
    at,
    sli: whole.total > 0 ? whole.good / whole.total : null,
    budgetRemaining: budgetRemaining(
      whole.total - whole.good,
      whole.total,
      target,
    ),
    burnRates,
    firing: tierResults.filter(t => t.firing).map(t => t.name),
    tiers: tierResults,
  };
}

/** The state of one (objective, tier) alert. */
export interface AlertState {
  dedupKey: string;
  objectiveRef: string;
  tier: string;
  firing: boolean;
  /** Epoch ms of the last transition. */
  since: number;
}

/** The dedup key of an (objective, tier) alert: `${objectiveRef}:${tier}`. */
export function dedupKey(objectiveRef: string, tier: string): string {
  return `${objectiveRef}:${tier}`;
}

/**
 * The alert state machine for one (objective, tier): from the previous state
 * (undefined = never fired) and whether the tier fires now, the next state and
 * the transition: 'fired' (was not firing, is now), 'resolved' (was firing,
 * is not) or 'unchanged'. Notifications are sent only on transitions.
 */
export function nextAlertState(
  previous: AlertState | undefined,
  firingNow: boolean,
  context: { objectiveRef: string; tier: string; at: number },
): { state: AlertState; transition: SloAlertTransitionKind } {
  const wasFiring = previous?.firing ?? false;
  if (previous && wasFiring === firingNow) {
    return { state: previous, transition: 'unchanged' };
  }
  const state: AlertState = {
    dedupKey: dedupKey(context.objectiveRef, context.tier),
    objectiveRef: context.objectiveRef,
    tier: context.tier,
    firing: firingNow,
    since: context.at,
  };
  if (wasFiring === firingNow) return { state, transition: 'unchanged' };
  return { state, transition: firingNow ? 'fired' : 'resolved' };
}

/**
 * Applies {@link nextAlertState} to every tier of an evaluation.
 * `previous` is keyed by tier name.
 */
export function alertTransitions(
  objectiveRef: string,
  evaluation: SloEvaluation,
  previous: Readonly<Record<string, AlertState>>,
): { state: AlertState; transition: SloAlertTransitionKind }[] {
  return evaluation.tiers.map(t =>
    nextAlertState(previous[t.name], t.firing, {
      objectiveRef,
      tier: t.name,
      at: evaluation.at,
    }),
  );
}
