import type {
  Objective,
  SloMinute,
  SliSource,
} from '@internal/plugin-slo-common';
import type { MinuteCounts, SampleStore } from '../samples';

/** An objective for tests, with the indicator source given. */
export function testObjective(
  id: string,
  source: Objective['indicator']['source'],
  labels: Record<string, string> = {},
): Objective {
  return {
    id,
    name: id.split(':')[0],
    displayName: id,
    service: 'test',
    target: 0.99,
    budgeting: { method: 'Occurrences' },
    window: { type: 'rolling', duration: '28d', minutes: 28 * 24 * 60 },
    indicator: { name: `${id}-sli`, kind: 'ratio', counter: true, source },
    alertPolicies: [],
    labels,
    sourceFile: 'test.yaml',
    sourceLine: 1,
  };
}

/** A {@link SampleStore} in memory, with the same replace semantics. */
export class MemorySampleStore implements SampleStore {
  readonly rows = new Map<string, Map<number, SloMinute>>();

  async upsertMinutes(
    objectiveRef: string,
    minutes: readonly MinuteCounts[],
    source: SliSource,
  ): Promise<number> {
    let rows = this.rows.get(objectiveRef);
    if (!rows) {
      rows = new Map();
      this.rows.set(objectiveRef, rows);
    }
    for (const m of minutes) {
      rows.set(m.minute.getTime(), {
        minute: m.minute.toISOString(),
        good: m.good,
        total: m.total,
        source,
      });
    }
    return minutes.length;
  }

  async readRange(
    objectiveRef: string,
    from: Date,
    to: Date,
  ): Promise<SloMinute[]> {
    return [...(this.rows.get(objectiveRef)?.entries() ?? [])]
      .filter(([t]) => t >= from.getTime() && t <= to.getTime())
      .sort(([a], [b]) => a - b)
      .map(([, m]) => m);
  }

  async latestMinute(objectiveRef: string): Promise<Date | undefined> {
    const times = [...(this.rows.get(objectiveRef)?.keys() ?? [])];
    return times.length ? new Date(Math.max(...times)) : undefined;
  }

  /** Every stored minute of one objective as `[epochMs, good, total]`, oldest first. */
  all(objectiveRef: string): Array<[number, number, number]> {
    return [...(this.rows.get(objectiveRef)?.entries() ?? [])]
      .sort(([a], [b]) => a - b)
      .map(([t, m]) => [t, m.good, m.total]);
  }
}
