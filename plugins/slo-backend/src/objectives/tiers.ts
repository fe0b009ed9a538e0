import type {
  Objective,
  ObjectiveWindow,
  SloAlertTier,
  SloTierSummary,
  SloTimeWindow,
} from '@internal/plugin-slo-common';
import { DEFAULT_TIERS } from '../engine/tiers';

const MINUTES_PER_UNIT: Record<string, number> = { m: 1, h: 60, d: 1440 };

/** Where notifications go when an objective's file names no alert policy. */
export interface DefaultRouting {
  /** Target names per severity for every objective. */
  page: string[];
  ticket: string[];
  /** Per owning group (entity ref), replacing the defaults for its objectives. */
  owners?: Record<string, { page?: string[]; ticket?: string[] }>;
}

/**
 * The engine's time window for an objective's window: rolling windows of any
 * length, calendar weeks and months in UTC. Anything else (quarters, years,
 * several months, another time zone) is not supported yet: the reason.
 */
export function engineWindow(
  window: ObjectiveWindow,
): SloTimeWindow | { unsupported: string } {
  if (window.type === 'rolling') {
    return { kind: 'rolling', duration: `${window.minutes}m` };
  }
  const utc = ['UTC', 'Etc/UTC', 'GMT'].includes(window.timeZone);
  if (window.count === 1 && (window.unit === 'w' || window.unit === 'M')) {
    if (!utc) {
      return {
        unsupported: `calendar windows are evaluated in UTC only; ${window.timeZone} is not supported yet`,
      };
    }
    return { kind: 'calendar', unit: window.unit === 'w' ? 'week' : 'month' };
  }
  return {
    unsupported: `calendar window ${window.duration} is not supported yet (1w and 1M are)`,
  };
}

/** The nominal period of a window in minutes (a calendar month counts 30 days). */
export function periodMinutes(window: SloTimeWindow): number {
  if (window.kind === 'rolling') return Number(window.duration.slice(0, -1));
  return window.unit === 'week' ? 7 * 1440 : 30 * 1440;
}

/** `window` in minutes as the engine's shorthand: `5m`, `1h`, `2d`. */
function shorthand(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** `e.g. 5m` from 1h, `30m` from 6h: the SRE Workbook's 1/12 short window. */
function shortWindowFor(longMinutes: number): string {
  return shorthand(Math.max(1, Math.round(longMinutes / 12)));
}

function minutesOf(duration: string): number {
  const match = /^(\d+)([mhd])$/.exec(duration);
  if (!match) throw new Error(`Unsupported window '${duration}'`);
  return Number(match[1]) * MINUTES_PER_UNIT[match[2]];
}

const PAGE_SEVERITIES = new Set(['critical', 'page', 'high', 'error']);

/**
 * The alert tiers of an objective, with their notification targets. An
 * objective whose file attaches alert policies gets one tier per policy
 * (`AlertCondition` burn rate and lookback window; the short window is 1/12
 * of it; a policy with `alertWhenBreaching: false` is turned off); one
 * without gets the default tiers, routed by severity to the owning group's
 * targets or the defaults.
 */
export function resolveTiers(
  objective: Objective,
  window: SloTimeWindow,
  routing: DefaultRouting,
  owner?: string,
): SloTierSummary[] {
  const period = periodMinutes(window);
  if (objective.alertPolicies.length > 0) {
    // A policy with alertWhenBreaching: false is turned off; an objective
    // whose policies are all off has no tiers (and never alerts).
    return objective.alertPolicies
      .filter(policy => policy.alertWhenBreaching)
      .map(policy => {
        const long = policy.condition.lookbackMinutes;
        const threshold = policy.condition.threshold;
        return {
          name: policy.name,
          severity: PAGE_SEVERITIES.has(policy.condition.severity.toLowerCase())
            ? 'page'
            : 'ticket',
          longWindow: shorthand(long),
          shortWindow: shortWindowFor(long),
          threshold,
          budgetShare: (threshold * long) / period,
          targets: policy.notificationTargets.map(t => t.name),
        };
      });
  }
  const own = owner ? routing.owners?.[owner] : undefined;
  return DEFAULT_TIERS.map(tier => ({
    name: tier.name,
    severity: tier.severity,
    longWindow: tier.longWindow,
    shortWindow: tier.shortWindow,
    threshold: (tier.budgetShare * period) / minutesOf(tier.longWindow),
    budgetShare: tier.budgetShare,
    targets: (own?.[tier.severity] ?? routing[tier.severity]).slice(),
  }));
}

/** The engine's tiers from resolved ones. */
export function engineTiers(tiers: readonly SloTierSummary[]): SloAlertTier[] {
  return tiers.map(t => ({
    name: t.name,
    severity: t.severity,
    budgetShare: t.budgetShare,
    longWindow: t.longWindow,
    shortWindow: t.shortWindow,
  }));
}

/** e.g. `30d rolling`, `calendar month`. */
export function windowLabel(window: SloTimeWindow): string {
  if (window.kind === 'calendar') return `calendar ${window.unit}`;
  return `${shorthand(Number(window.duration.slice(0, -1)))} rolling`;
}
