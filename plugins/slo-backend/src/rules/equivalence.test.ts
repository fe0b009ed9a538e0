import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { createPermissionMiddleware } from '@internal/plugin-ops-node';
import express from 'express';
import request from 'supertest';
import { DEFAULT_TIERS } from '../engine/tiers';
import { MINUTE_MS, MinuteBucket } from '../engine/windows';
import { createRouter } from '../router';
import { SampleService } from '../samples/SampleService';
import { pushObjectiveYaml, sloServices } from '../testing/sloTestDatabase';
import { generateRules, RuleObjective } from './generateRules';
import { toRulesFileYaml } from './rulesYaml';
import {
  alertRulesByTier,
  counterValues,
  describeWithPromtool,
  expectedAlert,
  PromtoolTestGroup,
  testRules,
  tierSummaries,
} from './promtoolHarness';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

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
 * The engine side, as a user of the portal would feed it: the minutes are
 * pushed through `POST /objectives/:ref/samples` of the real router (on
 * SQLite), and each minute's firing tiers are read from
 * `GET /objectives/:ref/status?at=`, the route the live evaluation and the
 * charts share. Sorted names per minute.
 */
async function engineFiringThroughPushApi(
  ref: string,
  buckets: readonly MinuteBucket[],
): Promise<string[][]> {
  const knex = await databases.init('SQLITE_3');
  const now = () => new Date(buckets[buckets.length - 1].minute + MINUTE_MS);
  const s = await sloServices(knex, {
    files: [{ file: 'objective.yaml', text: pushObjectiveYaml(ref) }],
    now,
    logger: mockServices.logger.mock(),
  });
  const router = await createRouter({
    objectives: s.objectiveService,
    samples: new SampleService({
      store: s.samples,
      objectiveExists: id => s.objectives.exists(id),
    }),
    alerts: s.alertService,
    allow: createPermissionMiddleware(async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'service', subject: 'plugin:equivalence-test' },
    })),
    now,
  });
  const app = express().use(router);
  const path = `/objectives/${encodeURIComponent(ref)}`;
  for (let i = 0; i < buckets.length; i += 1440) {
    const samples = buckets.slice(i, i + 1440).map(b => ({
      timestamp: new Date(b.minute).toISOString(),
      good: b.good,
      total: b.total,
    }));
    const pushed = await request(app).post(`${path}/samples`).send({ samples });
    expect(pushed.status).toBe(200);
  }
  const firing: string[][] = [];
  for (const b of buckets) {
    const status = await request(app).get(
      `${path}/status?at=${new Date(b.minute).toISOString()}`,
    );
    expect(status.status).toBe(200);
    firing.push([...(status.body.firing as string[])].sort());
  }
  return firing;
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
    const firing = await engineFiringThroughPushApi(ruleObjective.id, buckets);

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
