import type { SloEvaluation } from '@internal/plugin-slo-common';
import {
  AlertState,
  alertTransitions,
  DEFAULT_TIERS,
  evaluate,
  EvaluableObjective,
  longestWindowMs,
  nextAlertState,
} from './tiers';
import {
  MINUTE_MS,
  MinuteBucket,
  PrefixSums,
  RunningSums,
  toSliceBuckets,
} from './windows';

const START = Date.UTC(2024, 0, 1);
const RPM = 1000; // requests per minute

const objective: EvaluableObjective = {
  ref: 'default/api-gateway-availability',
  target: 0.999,
  window: { kind: 'rolling', duration: '30d' },
};

/** `minutes` buckets from `from`, `bad` of RPM requests failing each minute. */
function run(from: number, minutes: number, bad: number): MinuteBucket[] {
  return Array.from({ length: minutes }, (_, i) => ({
    minute: from + i * MINUTE_MS,
    good: RPM - bad,
    total: RPM,
  }));
}

/** 30 days of perfect traffic, then `minutes` at `bad` errors a minute. */
function afterHealthyMonth(minutes: number, bad: number) {
  const healthy = run(START, 30 * 24 * 60, 0);
  const spikeStart = START + healthy.length * MINUTE_MS;
  const buckets = [...healthy, ...run(spikeStart, minutes, bad)];
  return { buckets, spikeStart, sums: new PrefixSums(buckets) };
}

/** The minute that closes a spike of `minutes` starting at `spikeStart`. */
const lastOf = (spikeStart: number, minutes: number) =>
  spikeStart + (minutes - 1) * MINUTE_MS;

describe('evaluate: the Workbook tiers at 99.9% over 30 days', () => {
  it('default thresholds are 14.4, 6, 3 and 1', () => {
    const { sums, spikeStart } = afterHealthyMonth(1, 0);
    const e = evaluate(objective, sums, spikeStart);
    expect(e.tiers.map(t => [t.name, t.severity])).toEqual(
      DEFAULT_TIERS.map(t => [t.name, t.severity]),
    );
    expect(e.tiers.map(t => t.threshold)).toEqual([
      expect.closeTo(14.4, 9),
      expect.closeTo(6, 9),
      expect.closeTo(3, 9),
      expect.closeTo(1, 9),
    ]);
  });

  it('14.4x for 1h pages once the full hour has burned and spends 2% of the budget', () => {
    const { sums, spikeStart } = afterHealthyMonth(60, 14.4 * (RPM / 1000));
    const end = lastOf(spikeStart, 60);

    const before = evaluate(objective, sums, end - MINUTE_MS);
    expect(before.firing).toEqual([]);

    const e = evaluate(objective, sums, end);
    expect(e.burnRates['1h'].burnRate).toBeCloseTo(14.4, 6);
    expect(e.burnRates['5m'].burnRate).toBeCloseTo(14.4, 6);
    expect(e.firing).toEqual(['page-1h']);
    // the window now holds 43,140 healthy minutes and the burning hour
    expect(e.budgetRemaining).toBeCloseTo(0.98, 9);
  });

  it('6x for 6h pages on the 6h tier only and spends 5% of the budget', () => {
    const { sums, spikeStart } = afterHealthyMonth(360, 6);
    const e = evaluate(objective, sums, lastOf(spikeStart, 360));
    expect(e.burnRates['6h'].burnRate).toBeCloseTo(6, 6);
    expect(e.firing).toEqual(['page-6h']);
    expect(e.budgetRemaining).toBeCloseTo(0.95, 9);
  });

  it('1x for 3 days tickets on the 3d tier only and spends 10% of the budget', () => {
    const { sums, spikeStart } = afterHealthyMonth(3 * 24 * 60, 1);
    const end = lastOf(spikeStart, 3 * 24 * 60);
    expect(evaluate(objective, sums, end - MINUTE_MS).firing).toEqual([]);
    const e = evaluate(objective, sums, end);
    expect(e.burnRates['3d'].burnRate).toBeCloseTo(1, 6);
    expect(e.firing).toEqual(['ticket-3d']);
    expect(e.budgetRemaining).toBeCloseTo(0.9, 9);
  });

  it('a 100% outage (1000x) pages within its first minute (1000x once the 5m window is full)', () => {
    const { sums, spikeStart } = afterHealthyMonth(5, RPM);
    const first = evaluate(objective, sums, spikeStart);
    expect(first.burnRates['5m'].burnRate).toBeCloseTo(200, 6); // 1 of 5 minutes
    expect(first.burnRates['1h'].burnRate).toBeCloseTo(1000 / 60, 6);
    expect(first.firing).toContain('page-1h');
    const full = evaluate(objective, sums, spikeStart + 4 * MINUTE_MS);
    expect(full.burnRates['5m'].burnRate).toBeCloseTo(1000, 6);
  });

  it('resolves when the short window falls back, while the long window is still hot', () => {
    const spike = afterHealthyMonth(120, 20); // 20x for 2 hours
    const recoveryStart = spike.spikeStart + 120 * MINUTE_MS;
    const buckets = [...spike.buckets, ...run(recoveryStart, 30, 0)];
    const sums = new PrefixSums(buckets);

    const oneMinute = evaluate(objective, sums, recoveryStart);
    expect(oneMinute.firing).toContain('page-1h'); // 5m still 16x

    const twoMinutes = evaluate(objective, sums, recoveryStart + MINUTE_MS);
    expect(twoMinutes.burnRates['1h'].burnRate).toBeGreaterThan(14.4);
    expect(twoMinutes.burnRates['5m'].burnRate).toBeLessThan(14.4);
    expect(twoMinutes.firing).not.toContain('page-1h');
  });

  it('no traffic burns nothing, says so and fires nothing', () => {
    const e = evaluate(objective, new PrefixSums([]), START);
    expect(e.sli).toBeNull();
    expect(e.budgetRemaining).toBe(1);
    expect(e.firing).toEqual([]);
    for (const window of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
      expect(e.burnRates[window]).toEqual({ burnRate: 0, noTraffic: true });
    }
  });

  it('a short window with no traffic does not fire even if the long one burns', () => {
    const { buckets, spikeStart } = afterHealthyMonth(55, 100);
    const quietFrom = spikeStart + 55 * MINUTE_MS;
    const sums = new PrefixSums(buckets);
    const e = evaluate(objective, sums, quietFrom + 5 * MINUTE_MS);
    expect(e.burnRates['5m']).toEqual({ burnRate: 0, noTraffic: true });
    expect(e.burnRates['1h'].burnRate).toBeGreaterThan(14.4);
    expect(e.firing).not.toContain('page-1h');
  });

  it('tiers can be changed or turned off, and their windows are reported', () => {
    const { sums, spikeStart } = afterHealthyMonth(60, 15);
    const custom: EvaluableObjective = {
      ...objective,
      burnWindows: [],
      tiers: [
        { ...DEFAULT_TIERS[0], enabled: false },
        {
          name: 'fast',
          severity: 'page',
          budgetShare: 0.01,
          longWindow: '45m',
          shortWindow: '3m',
        },
      ],
    };
    const e = evaluate(custom, sums, lastOf(spikeStart, 60));
    expect(e.tiers.map(t => t.name)).toEqual(['fast']);
    expect(e.tiers[0].threshold).toBeCloseTo(9.6, 9); // 1% × 720h / 0.75h
    expect(Object.keys(e.burnRates).sort()).toEqual(['3m', '45m']);
    expect(e.firing).toEqual(['fast']);
  });

  it('a calendar month scales thresholds to its length (31 days: 14.88)', () => {
    const at = Date.UTC(2024, 0, 20);
    const e = evaluate(
      { ...objective, window: { kind: 'calendar', unit: 'month' } },
      new PrefixSums(run(Date.UTC(2024, 0, 1), 100, 0)),
      at,
    );
    expect(e.tiers[0].threshold).toBeCloseTo(14.88, 9);
    expect(e.sli).toBe(1);
  });

  it('timeslices: evaluates slice buckets with the same code', () => {
    // 60 minutes, of which 3 fall under a 95% slice threshold
    const minutes = run(START, 60, 0).map((b, i) =>
      i % 20 === 0 ? { ...b, good: 900 } : b,
    );
    const slices = toSliceBuckets(minutes, 1, 0.95);
    const e = evaluate(
      {
        ...objective,
        target: 0.99,
        window: { kind: 'rolling', duration: '1h' },
      },
      new PrefixSums(slices),
      START + 59 * MINUTE_MS,
    );
    expect(e.sli).toBeCloseTo(57 / 60, 12);
    // 3 bad slices of 60, budget 0.6 slices → 1 - 3 / 0.6
    expect(e.budgetRemaining).toBeCloseTo(-4, 9);
  });

  it('running sums and prefix sums give the same evaluation', () => {
    const { buckets, spikeStart } = afterHealthyMonth(90, 30);
    const running = new RunningSums(longestWindowMs(objective));
    const prefix = new PrefixSums(buckets);
    const checkpoints = new Set([
      spikeStart - MINUTE_MS,
      spikeStart + 30 * MINUTE_MS,
      lastOf(spikeStart, 90),
    ]);
    const incremental: SloEvaluation[] = [];
    for (const b of buckets) {
      running.append(b);
      if (checkpoints.has(b.minute)) {
        incremental.push(evaluate(objective, running, b.minute));
      }
    }
    expect(incremental).toEqual(
      [...checkpoints].map(at => evaluate(objective, prefix, at)),
    );
  });
});

describe('alert state machine', () => {
  const ctx = (at: number) => ({ objectiveRef: 'svc', tier: 'page-1h', at });

  it('fires, stays, resolves, with a dedup key of objective and tier', () => {
    const a = nextAlertState(undefined, false, ctx(1));
    expect(a.transition).toBe('unchanged');
    expect(a.state.firing).toBe(false);

    const b = nextAlertState(a.state, true, ctx(2));
    expect(b).toEqual({
      transition: 'fired',
      state: {
        dedupKey: 'svc:page-1h',
        objectiveRef: 'svc',
        tier: 'page-1h',
        firing: true,
        since: 2,
      },
    });

    const c = nextAlertState(b.state, true, ctx(3));
    expect(c.transition).toBe('unchanged');
    expect(c.state.since).toBe(2);

    const d = nextAlertState(c.state, false, ctx(4));
    expect(d.transition).toBe('resolved');
    expect(d.state).toMatchObject({ firing: false, since: 4 });
  });

  it('an alert that fires on its first evaluation is fired', () => {
    expect(nextAlertState(undefined, true, ctx(1)).transition).toBe('fired');
  });

  it('a spike and recovery gives exactly one fired and one resolved per tier', () => {
    const spike = afterHealthyMonth(120, 20);
    const recoveryStart = spike.spikeStart + 120 * MINUTE_MS;
    const buckets = [...spike.buckets, ...run(recoveryStart, 60, 0)];
    const sums = new PrefixSums(buckets);
    let states: Record<string, AlertState> = {};
    const seen: string[] = [];
    for (
      let at = spike.spikeStart - 10 * MINUTE_MS;
      at < recoveryStart + 60 * MINUTE_MS;
      at += MINUTE_MS
    ) {
      const e: SloEvaluation = evaluate(objective, sums, at);
      const next = alertTransitions(objective.ref, e, states);
      states = Object.fromEntries(next.map(t => [t.state.tier, t.state]));
      for (const t of next) {
        if (t.transition !== 'unchanged') {
          seen.push(`${t.transition} ${t.state.dedupKey}`);
        }
      }
    }
    expect(seen).toEqual([
      'fired default/api-gateway-availability:page-1h',
      'fired default/api-gateway-availability:page-6h',
      'resolved default/api-gateway-availability:page-1h',
      'resolved default/api-gateway-availability:page-6h',
    ]);
  });
});
