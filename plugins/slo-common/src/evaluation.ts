/** The burn rate of one window, and whether the window saw any traffic. */
export interface BurnRate {
  /** Multiples of the sustainable rate: 1 spends the budget exactly over the period. */
  burnRate: number;
  /** True when the window had no events: it burns nothing (never NaN). */
  noTraffic: boolean;
}

/**
 * The window an objective is measured over, in UTC.
 * Rolling: the last `duration` ('28d', '30d', '7d', '1h'). Calendar: since
 * the start of the current week (Monday 00:00 UTC) or month.
 */
export type SloTimeWindow =
  | { kind: 'rolling'; duration: string }
  | { kind: 'calendar'; unit: 'week' | 'month' };

/**
 * Occurrences: the budget is a share of events. Timeslices: the budget is a
 * share of time slices, a slice being good when its ratio meets a threshold.
 */
export type SloBudgetingMethod = 'occurrences' | 'timeslices';

/**
 * One multiwindow, multi-burn-rate alert tier. Its threshold is derived from
 * the share of the period's budget it may spend in the long window, so the
 * same tier scales to any period.
 */
export interface SloAlertTier {
  name: string;
  severity: 'page' | 'ticket';
  /** Share of the period's error budget, e.g. 0.02 for 2%. */
  budgetShare: number;
  /** e.g. '1h' */
  longWindow: string;
  /** e.g. '5m' */
  shortWindow: string;
  /** A tier turned off never fires. Defaults to true. */
  enabled?: boolean;
}

/** One tier's evaluation at a minute. */
export interface SloTierEvaluation {
  name: string;
  severity: 'page' | 'ticket';
  threshold: number;
  long: BurnRate;
  short: BurnRate;
  firing: boolean;
}

/** An objective evaluated as of one minute. */
export interface SloEvaluation {
  /** Epoch ms of the minute evaluated (inclusive end of every window). */
  at: number;
  /** good / total over the objective's window; null when it had no traffic. */
  sli: number | null;
  /** 1 = untouched, 0 = exhausted, below 0 = overspent. */
  budgetRemaining: number;
  /** Burn rate per window name, e.g. burnRates['1h']. */
  burnRates: Record<string, BurnRate>;
  /** Names of the tiers firing now. */
  firing: string[];
  tiers: SloTierEvaluation[];
}

/** What happened to one (objective, tier) alert at an evaluation. */
export type SloAlertTransitionKind = 'fired' | 'resolved' | 'unchanged';
