import { categorizeOpsAudit } from '@internal/plugin-ops-node';
import { percentile } from '../sla';
import type { CompletionDuration } from './ActivityStore';

/** The quantiles `privacy_request_completion_seconds` reports, in percent. */
export const COMPLETION_PERCENTILES = [50, 95] as const;

/**
 * Nearest-rank quantiles of the completion times per type and region (the
 * same method as `GET /metrics/sla`); pairs with no completion are absent.
 */
export function completionQuantiles(durations: CompletionDuration[]): Array<{
  labels: { quantile: string; type: string; region: string };
  value: number;
}> {
  const groups = new Map<
    string,
    { type: string; region: string; seconds: number[] }
  >();
  for (const { type, region, seconds } of durations) {
    const key = `${type}\u0000${region}`;
    const group = groups.get(key) ?? { type, region, seconds: [] };
    group.seconds.push(seconds);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ type, region, seconds }) => {
    const sorted = seconds.sort((a, b) => a - b);
    return COMPLETION_PERCENTILES.map(p => ({
      labels: { quantile: String(p / 100), type, region },
      value: percentile(sorted, p)!,
    }));
  });
}

/**
 * Whether an audit type records a read of personal data: ECS `event.type`
 * `access` in the shared categorization (an export collected from the data
 * stores, an export bundle downloaded, a subject id shown by a request list
 * or detail).
 */
export const isPersonalDataAccess = (type: string): boolean =>
  categorizeOpsAudit(type).type.includes('access');
