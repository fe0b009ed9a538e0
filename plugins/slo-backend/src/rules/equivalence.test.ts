import { DEFAULT_TIERS, evaluate, EvaluableObjective } from '../engine/tiers';
import { MINUTE_MS, MinuteBucket, PrefixSums } from '../engine/windows';
import { generateRules, RuleObjective } from './generateRules';
import { toRulesFileYaml } from './rulesYaml';
import {
  alertRulesByTier,
  counterValues,
  promtoolForTests,
  expectedAlert,
  PromtoolTestGroup,
  testRules,
  tierSummaries,
} from './promtoolHarness';

const promtoolSetup = promtoolForTests();
if (promtoolSetup.mode === 'skip') {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the promtool tests: ${promtoolSetup.message}`);
}
/** `describe` for tests that run promtool: fails in CI without it, skips elsewhere. */
const describeWithPromtool = (name: string, body: (promtool: string) => void) =>
  (promtoolSetup.mode === 'skip' ? describe.skip : describe)(name, () => {
    beforeAll(() => {
      if (promtoolSetup.mode === 'fail') throw new Error(promtoolSetup.message);
    });
    body(promtoolSetup.path);
  });

/**
 * The engine and the generated Prometheus rules must agree on which tiers
 * fire, minute by minute, for the same traffic.
 *
 * Mapping: the engine's bucket of minute m counts the events of
 * [m, m + 1 min). The counters promtool reads are sampled every minute, the
 * sample at time T holding every bucket before T, so the engine's evaluation
 * at minute m is Prometheus' evaluation at m + 1 min. Prometheus 2.x range
 * selectors include both ends, so `rate(x[L])` at m + 1 min sees exactly the
 * buckets m - L < b ≤ m, the engine's window convention.
 *
 * `rate()` extrapolates when the first or last sample is not at the edge of
 * the range. Here samples sit exactly on the minutes and the counters start
 * at 0 (so a window reaching before the first sample is not extrapolated
 * past it), and good and total share their timestamps, so any extrapolation
 * scales both alike and cancels in the ratio. To stay robust anyway, minutes
 * within one evaluation interval of an engine transition are not compared.
 */

const START = Date.UTC(2024, 0, 1);
const PERIOD_MINUTES = 30 * 24 * 60;
const RPM = 1000;

/** Per-minute errors (of RPM requests; `null`: no traffic at all). */
function scenarioErrors(): (number | null)[] {
  const phases: [minutes: number, errors: number | null][] = [
    [180, 1], // steady 0.1% errors: a 1x burn, exactly the 3-day ticket threshold
    [90, 20], // a 20x spike (above 14.4)
    [480, 7], // a long 7x burn (above 6)
    [150, 1], // a slow 1x burn
    [300, 0], // recovery
    [10, null], // no traffic
    [290, 0], // recovered traffic
  ];
  return phases.flatMap(([n, e]) => Array<number | null>(n).fill(e));
}

function toBuckets(errors: readonly (number | null)[]): MinuteBucket[] {
  return errors.map((e, i) => ({
    minute: START + i * MINUTE_MS,
    good: e === null ? 0 : RPM - e,
    total: e === null ? 0 : RPM,
  }));
}

/**
 * The engine side: which tiers fire at each minute of `buckets` (sorted
 * names per minute). Takes plain minute buckets, so the same check can later
 * run through the push API instead of `PrefixSums`.
 */
function engineFiring(
  objective: EvaluableObjective,
  buckets: readonly MinuteBucket[],
): string[][] {
  const sums = new PrefixSums(buckets);
  return buckets.map(b =>
    [...evaluate(objective, sums, b.minute).firing].sort(),
  );
}

/** Indexes of the minutes whose firing set differs from the minute before. */
function transitions(firing: readonly string[][]): number[] {
  const out: number[] = [];
  for (let i = 1; i < firing.length; i++) {
    if (firing[i].join() !== firing[i - 1].join()) out.push(i);
  }
  return out;
}

describeWithPromtool('the rules fire when the engine does', promtool => {
  const engineObjective: EvaluableObjective = {
    ref: 'checkout-availability',
    target: 0.999,
    window: { kind: 'rolling', duration: '30d' },
    tiers: DEFAULT_TIERS,
  };
  const ruleObjective: RuleObjective = {
    id: 'checkout-availability',
    displayName: 'Checkout availability',
    service: 'checkout',
    target: 0.999,
    periodMinutes: PERIOD_MINUTES,
    indicator: {
      good: 'sum(rate(good_total[{{window}}]))',
      total: 'sum(rate(requests_total[{{window}}]))',
    },
    tiers: tierSummaries(DEFAULT_TIERS, PERIOD_MINUTES),
    links: { objective: 'https://portal.example.com/slo/checkout' },
  };

  it('agrees at every minute away from a transition', async () => {
    const buckets = toBuckets(scenarioErrors());
    const firing = engineFiring(engineObjective, buckets);

    // The scenario exercises every tier, and quiet minutes.
    const everFired = new Set(firing.flat());
    expect([...everFired].sort()).toEqual(
      DEFAULT_TIERS.map(t => t.name).sort(),
    );
    expect(firing.some(f => f.length === 0)).toBe(true);

    const near = new Set(transitions(firing).flatMap(i => [i - 1, i, i + 1]));
    const checked = firing.map((_, i) => i).filter(i => !near.has(i));
    expect(checked.length).toBeGreaterThan(buckets.length * 0.95);

    const result = generateRules(ruleObjective);
    if (!result.available) throw new Error(result.message);
    const rules = alertRulesByTier(result.groups);
    const series = { slo_id: ruleObjective.id };
    const group: PromtoolTestGroup = {
      interval: '1m',
      input_series: [
        {
          series: 'good_total',
          values: counterValues(buckets.map(b => b.good)),
        },
        {
          series: 'requests_total',
          values: counterValues(buckets.map(b => b.total)),
        },
      ],
      alert_rule_test: checked.map(i => ({
        eval_time: `${i + 1}m`,
        alertname: 'SloErrorBudgetBurn',
        exp_alerts: firing[i].map(t => expectedAlert(rules.get(t)!, series)),
      })),
    };

    const run = await testRules(
      promtool,
      toRulesFileYaml(result.groups),
      [group],
      '1m',
    );
    // On a mismatch promtool prints the minute, what it expected and what it got.
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  }, 120_000);
});
