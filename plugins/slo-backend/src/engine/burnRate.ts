import type { BurnRate } from '@internal/plugin-slo-common';

/**
 * The error budget as a fraction of events (or slices): 1 - target.
 * A target of 0.999 leaves 0.001.
 */
export function errorBudget(target: number): number {
  if (!(target > 0 && target < 1)) {
    throw new RangeError(`SLO target must be between 0 and 1, got ${target}`);
  }
  return 1 - target;
}

/**
 * Burn rate of a window: the observed error ratio over the budget,
 * (bad / total) / (1 - target). 1 spends the budget exactly over the period;
 * 1000 is a full outage at 99.9%. A window with no traffic burns nothing and
 * says so.
 */
export function burnRate(bad: number, total: number, target: number): BurnRate {
  const budget = errorBudget(target);
  if (total <= 0) return { burnRate: 0, noTraffic: true };
  return { burnRate: bad / total / budget, noTraffic: false };
}

/** {@link burnRate} from good and total counts. */
export function burnRateOfGood(
  good: number,
  total: number,
  target: number,
): BurnRate {
  return burnRate(total - good, total, target);
}

/**
 * The burn-rate threshold at which a window of `windowMs` spends `share` of
 * the budget of a period of `periodMs`: share × period / window.
 * For 30 days: 2% in 1h → 14.4, 5% in 6h → 6, 10% in 1d → 3, 10% in 3d → 1.
 */
export function thresholdForShare(
  share: number,
  periodMs: number,
  windowMs: number,
): number {
  return (share * periodMs) / windowMs;
}

/**
 * The share of a period's budget that burning at `rate` for `windowMs`
 * consumes: rate × window / period (the inverse of {@link thresholdForShare}).
 */
export function budgetConsumed(
  rate: number,
  windowMs: number,
  periodMs: number,
): number {
  return (rate * windowMs) / periodMs;
}

/**
 * Milliseconds until the budget is exhausted when `remaining` (a fraction of
 * the period's budget, 1 = all of it) burns at `rate`:
 * remaining × period / rate. Null when nothing burns; 0 when already spent.
 */
export function timeToExhaustion(
  remaining: number,
  rate: number,
  periodMs: number,
): number | null {
  if (remaining <= 0) return 0;
  if (!(rate > 0)) return null;
  return (remaining * periodMs) / rate;
}

/**
 * Budget remaining over the period when budgeting by occurrences:
 * 1 - bad / (total × (1 - target)). 1 with no traffic; negative once overspent.
 */
export function budgetRemaining(
  bad: number,
  total: number,
  target: number,
): number {
  const budget = errorBudget(target);
  if (total <= 0) return 1;
  return 1 - bad / (total * budget);
}

/**
 * Timeslices: a slice (usually a minute) is good when its ratio good/total
 * meets `sliceThreshold` (e.g. 0.95 of requests under 300 ms in that minute).
 * A slice with no traffic is neither good nor bad: returns null (a gap).
 */
export function isGoodSlice(
  good: number,
  total: number,
  sliceThreshold: number,
): boolean | null {
  if (total <= 0) return null;
  return good / total >= sliceThreshold;
}

/**
 * Budget remaining when budgeting by timeslices: the same formula over slices,
 * 1 - badSlices / (slices × (1 - target)), slices counting only those with
 * traffic (a gap is neither good nor bad).
 */
export function timesliceBudgetRemaining(
  goodSlices: number,
  slices: number,
  target: number,
): number {
  return budgetRemaining(slices - goodSlices, slices, target);
}
