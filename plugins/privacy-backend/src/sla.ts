import {
  FINAL_STATES,
  REGIONS,
  REQUEST_TYPES,
  Region,
  RequestState,
  RequestType,
  SlaReport,
  SlaRow,
} from '@internal/plugin-privacy-common';
import { HOUR_MS } from '@internal/plugin-ops-common';

export interface SlaInput {
  type: RequestType;
  region: Region;
  state: RequestState;
  createdAt: Date;
  completedAt: Date | null;
  slaDueAt: Date;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * SLA compliance per request type and region over the window, computed from
 * request timestamps only. A request counts once it is decided: completed
 * (within SLA or not) or still open past its SLA (a breach). Open requests
 * whose typical completion time (p50 of this type and region) would take
 * them past their SLA are "at risk". Burn rate is the share of breaches
 * divided by the error budget (1 - objective): above 1 the budget runs out
 * before the window does.
 */
export function computeSlaReport(
  requests: SlaInput[],
  now: Date,
  options: { windowDays: number; objective: number },
): SlaReport {
  const rows: SlaRow[] = [];
  for (const type of REQUEST_TYPES) {
    for (const region of REGIONS) {
      const scoped = requests.filter(
        r => r.type === type && r.region === region,
      );
      const completed = scoped.filter(
        r => r.state === 'completed' && r.completedAt,
      );
      const hours = completed
        .map(r => (r.completedAt!.getTime() - r.createdAt.getTime()) / HOUR_MS)
        .sort((a, b) => a - b);
      const open = scoped.filter(r => !FINAL_STATES.includes(r.state));
      const breachedOpen = open.filter(
        r => r.slaDueAt.getTime() < now.getTime(),
      );
      const withinSla = completed.filter(
        r => r.completedAt!.getTime() <= r.slaDueAt.getTime(),
      ).length;
      const total = completed.length + breachedOpen.length;
      const p50 = percentile(hours, 50);
      const atRisk = open.filter(r => {
        if (r.slaDueAt.getTime() < now.getTime()) return false; // already breached
        const expectedDone = r.createdAt.getTime() + (p50 ?? 0) * HOUR_MS;
        return Math.max(expectedDone, now.getTime()) > r.slaDueAt.getTime();
      }).length;
      const compliance = total === 0 ? null : withinSla / total;
      rows.push({
        type,
        region,
        total,
        withinSla,
        compliance,
        objective: options.objective,
        p50Hours: p50,
        p95Hours: percentile(hours, 95),
        p99Hours: percentile(hours, 99),
        atRisk,
        burnRate:
          compliance === null
            ? null
            : (1 - compliance) / (1 - options.objective),
      });
    }
  }
  return { windowDays: options.windowDays, objective: options.objective, rows };
}

/**
 * The SLI the SLO plugin consumes (`GET /metrics/sli`): over a window, every
 * request *decided* in it counts once in `total`: completed in the window
 * (good when within its SLA), or reaching its SLA deadline in the window
 * without being completed by then (bad). Windows of any length can be asked
 * for, which multiwindow burn-rate alerting needs (1 h, 6 h, 3 d, ...).
 */
export function computeSli(
  requests: SlaInput[],
  window: { start: Date; end: Date },
): { good: number; total: number } {
  const within = (t: Date) => t >= window.start && t < window.end;
  let good = 0;
  let total = 0;
  for (const r of requests) {
    if (r.state === 'canceled') continue;
    if (r.completedAt && within(r.completedAt)) {
      total += 1;
      if (r.completedAt <= r.slaDueAt) good += 1;
    } else if (
      within(r.slaDueAt) &&
      (!r.completedAt || r.completedAt > r.slaDueAt)
    ) {
      total += 1; // breached at its deadline
    }
  }
  return { good, total };
}
