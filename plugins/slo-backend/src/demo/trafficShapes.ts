import { MINUTE_MS } from '../engine';

/**
 * The demo's traffic shapes, one per service, so `yarn start` shows each
 * state an objective can be in:
 * - `healthy`: errors well inside the budget;
 * - `slow-burn`: inside the budget for days, then twice the sustainable
 *   rate for the last six hours (burning, no tier firing yet);
 * - `fast-burn`: from an hour before the portal started, 30× the budget
 *   (the 1h page tier fires at once and the chart crosses 14.4);
 * - `exhausted`: a large incident three days ago spent the whole budget;
 *   quiet since.
 */
export type DemoProfile = 'healthy' | 'slow-burn' | 'fast-burn' | 'exhausted';

/** Requests per minute of every demo service, before noise. */
const REQUESTS_PER_MINUTE = 1200;

/** A deterministic pseudo-random number in [0, 1) for a minute and a salt. */
function noise(minute: number, salt: number): number {
  let x = (minute / MINUTE_MS) * 2654435761 + salt * 40503;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/** The share of requests that fail in `minute` for a profile. */
export function demoErrorRatio(
  profile: DemoProfile,
  minute: number,
  startedAt: number,
  target: number,
): number {
  const budget = 1 - target;
  const jitter = 0.6 + 0.8 * noise(minute, 7);
  switch (profile) {
    case 'healthy':
      return budget * 0.2 * jitter;
    case 'slow-burn':
      return minute >= startedAt - 6 * 60 * MINUTE_MS
        ? budget * 2 * jitter
        : budget * 0.7 * jitter;
    case 'fast-burn':
      return minute >= startedAt - 65 * MINUTE_MS
        ? budget * 30
        : budget * 0.3 * jitter;
    case 'exhausted': {
      const incidentStart = startedAt - 3 * 24 * 60 * MINUTE_MS;
      const inIncident =
        minute >= incidentStart && minute < incidentStart + 4 * 60 * MINUTE_MS;
      return inIncident ? budget * 60 : budget * 0.3 * jitter;
    }
    default:
      return 0;
  }
}

/** good and total of one demo minute. */
export function demoMinute(
  profile: DemoProfile,
  minute: number,
  startedAt: number,
  target: number,
): { good: number; total: number } {
  const total = Math.round(
    REQUESTS_PER_MINUTE * (0.8 + 0.4 * noise(minute, 3)),
  );
  const ratio = Math.min(1, demoErrorRatio(profile, minute, startedAt, target));
  return { good: total - Math.round(total * ratio), total };
}
