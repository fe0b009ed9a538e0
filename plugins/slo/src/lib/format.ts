import type {
  SloObjectiveState,
  SloStatus,
  SloTierSummary,
} from '@internal/plugin-slo-common';

/** A ratio (0..1) as a percentage, e.g. 0.999 → `99.90%`; `–` for null. */
export function formatPercent(
  ratio: number | null | undefined,
  digits = 2,
): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) {
    return '–';
  }
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** A burn rate as a multiple, e.g. `14.4×`; `–` for null (no traffic). */
export function formatBurn(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) {
    return '–';
  }
  const digits = rate >= 100 ? 0 : 1;
  return `${Number(rate.toFixed(digits))}×`;
}

/** Minutes as a short duration, e.g. 90 → `1h 30m`, 3000 → `2d 2h`. */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return 'not burning';
  const total = Math.max(0, Math.round(minutes));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return mins > 0 ? `${hours}h ${mins}m` : `${hours}h`;
  return `${mins}m`;
}

/** A timestamp for tables, in the browser's locale. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export type BudgetLevel = 'ok' | 'warning' | 'error';

/** How worrying a remaining budget is: over half left, over a fifth, less. */
export function budgetLevel(remaining: number): BudgetLevel {
  if (remaining > 0.5) return 'ok';
  if (remaining > 0.2) return 'warning';
  return 'error';
}

/** One window pair of an objective's tiers, e.g. `1h/5m` at 14.4×. */
export interface WindowPair {
  tier: string;
  long: string;
  short: string;
  label: string;
  threshold: number;
}

/** The window pairs of an objective's tiers, one per tier, in tier order. */
export function windowPairs(tiers: readonly SloTierSummary[]): WindowPair[] {
  return tiers.map(tier => ({
    tier: tier.name,
    long: tier.longWindow,
    short: tier.shortWindow,
    label: `${tier.longWindow}/${tier.shortWindow}`,
    threshold: tier.threshold,
  }));
}

/** A window's burn rate in a status; null when it had no traffic or is unknown. */
export function burnOf(
  status: SloStatus | null | undefined,
  window: string,
): number | null {
  const rate = status?.burnRates[window];
  if (!rate || rate.noTraffic) return null;
  return rate.burnRate;
}

export const STATE_LABELS: Record<SloObjectiveState, string> = {
  'no-data': 'no data',
  ok: 'ok',
  burning: 'burning',
  firing: 'firing',
  exhausted: 'exhausted',
};

/** Path of an objective's page below the plugin root (the id URL-encoded). */
export function objectivePath(root: string, id: string): string {
  return `${root.replace(/\/$/, '')}/objectives/${encodeURIComponent(id)}`;
}

export const ROLLBACK_TEMPLATE_PATH =
  '/create/templates/default/rollback-bad-deploy';

/** The rollback template, with the service's entity filled in. */
export function rollbackUrl(entityRef: string): string {
  return `${ROLLBACK_TEMPLATE_PATH}?formData=${encodeURIComponent(
    JSON.stringify({ entity: entityRef }),
  )}`;
}

/** Catalog annotation with a service's runbook URL. */
export const RUNBOOK_ANNOTATION = 'ops.portal/runbook';
