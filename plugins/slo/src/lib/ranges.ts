/** The chart ranges of the objective page. */
export const RANGES = {
  '6h': { label: '6 hours', minutes: 6 * 60, step: 5 },
  '1d': { label: '1 day', minutes: 24 * 60, step: 15 },
  '7d': { label: '7 days', minutes: 7 * 24 * 60, step: 60 },
  '30d': { label: '30 days', minutes: 30 * 24 * 60, step: 240 },
} as const;

export type RangeKey = keyof typeof RANGES;

export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];

/**
 * `from`, `to` and `step` (minutes) of a range ending at `now`'s minute, as
 * `GET /objectives/:ref/series` takes them.
 */
export function rangeQuery(
  key: RangeKey,
  now: Date = new Date(),
): { from: string; to: string; step: number } {
  const to = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const from = new Date(to.getTime() - RANGES[key].minutes * 60_000);
  return { from: iso(from), to: iso(to), step: RANGES[key].step };
}

function iso(date: Date): string {
  return date.toISOString();
}
