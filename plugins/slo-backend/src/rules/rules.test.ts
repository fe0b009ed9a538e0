import { parse } from 'yaml';
import { DEFAULT_TIERS } from '../engine/tiers';
import {
  generateRules,
  generateRulesForAll,
  PrometheusRuleGroup,
  RuleObjective,
  ruleGroupName,
  sanitizeName,
} from './generateRules';
import { toPrometheusRuleManifest, toRulesFileYaml } from './rulesYaml';
import {
  alertRulesByTier,
  checkRules,
  counterValues,
  describeWithPromtool,
  expectedAlert,
  mapLimit,
  PromtoolTestGroup,
  testRules,
  tierSummaries,
} from './promtoolHarness';

const DAYS_30 = 30 * 24 * 60;

/** Availability, good/total, 99.9% over 30 days, the four default tiers (14.4, 6, 3, 1). */
const checkout: RuleObjective = {
  id: 'checkout-availability',
  displayName: 'Checkout availability',
  service: 'checkout',
  owner: 'group:default/payments-team',
  target: 0.999,
  periodMinutes: DAYS_30,
  indicator: {
    good: 'sum(rate(good_total[{{window}}]))',
    total: 'sum(rate(requests_total[{{window}}]))',
  },
  tiers: tierSummaries(DEFAULT_TIERS, DAYS_30),
  links: {
    objective: 'https://portal.example.com/slo/checkout-availability',
    runbook: 'https://runbooks.example.com/checkout',
  },
};

/** bad/total, a per-label id, 99% over 7 days, custom tiers. */
const privacy: RuleObjective = {
  id: 'privacy-sla:region=EU,type=export',
  displayName: 'Privacy exports in "EU"',
  service: 'privacy',
  target: 0.99,
  periodMinutes: 7 * 24 * 60,
  indicator: {
    bad: 'sum(rate(privacy_requests_total{region="EU",type="export",outcome=~"error|timeout"}[{{ window }}]))',
    total:
      'sum(rate(privacy_requests_total{region="EU",type="export"}[{{window}}]))',
  },
  tiers: tierSummaries(
    [
      {
        name: 'fast',
        severity: 'page',
        budgetShare: 0.05,
        longWindow: '30m',
        shortWindow: '2m',
      },
      {
        name: 'slow',
        severity: 'ticket',
        budgetShare: 0.2,
        longWindow: '12h',
        shortWindow: '1h',
      },
    ],
    7 * 24 * 60,
  ),
  links: { objective: 'https://portal.example.com/slo/privacy' },
};

/** Latency ratio with a histogram and a calendar month (30 days), a template-looking name. */
const latency: RuleObjective = {
  id: 'checkout-latency#1',
  displayName: 'p99 {{ under }} 300 ms',
  service: 'checkout',
  target: 0.99,
  periodMinutes: DAYS_30,
  indicator: {
    type: 'prometheus',
    good: 'sum by (cluster) (rate(http_request_duration_seconds_bucket{le="0.3"}[{{window}}]))',
    total:
      'sum by (cluster) (rate(http_request_duration_seconds_count[{{window}}]))',
  },
  tiers: tierSummaries(DEFAULT_TIERS.slice(0, 2), DAYS_30),
  links: { objective: 'https://portal.example.com/slo/latency' },
};

function groupsOf(objective: RuleObjective): PrometheusRuleGroup[] {
  const result = generateRules(objective);
  if (!result.available) throw new Error(result.message);
  return result.groups;
}

describe('generateRules', () => {
  it('records the error ratio of every tier window and alerts once per tier', () => {
    const [group] = groupsOf(checkout);
    expect(group.name).toBe('slo_checkout_availability');
    const records = group.rules.flatMap(r => ('record' in r ? [r.record] : []));
    expect(records).toEqual([
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate30m',
      'slo:sli_error:ratio_rate1h',
      'slo:sli_error:ratio_rate2h',
      'slo:sli_error:ratio_rate6h',
      'slo:sli_error:ratio_rate1d',
      'slo:sli_error:ratio_rate3d',
    ]);
    const page = alertRulesByTier([group]).get('page-1h')!;
    expect(page.expr).toBe(
      'slo:sli_error:ratio_rate1h{slo_id="checkout-availability"} >= 0.0143999999856\n' +
        'and\n' +
        'slo:sli_error:ratio_rate5m{slo_id="checkout-availability"} >= 0.0143999999856',
    );
    expect(page.labels).toEqual({
      severity: 'page',
      slo: 'checkout-availability',
      tier: 'page-1h',
      service: 'checkout',
      owner: 'group:default/payments-team',
    });
    expect(page.annotations).toMatchObject({
      runbook_url: 'https://runbooks.example.com/checkout',
      portal_url: 'https://portal.example.com/slo/checkout-availability',
    });
    expect(page.annotations.summary).toContain('14.4x');
    expect(page.for).toBeUndefined();
  });

  it('fills {{window}} (spaces allowed) and keeps label matchers intact', () => {
    const [group] = groupsOf(privacy);
    const rule = group.rules.find(
      r => 'record' in r && r.record === 'slo:sli_error:ratio_rate2m',
    )!;
    expect(rule.expr).toBe(
      '((sum(rate(privacy_requests_total{region="EU",type="export",outcome=~"error|timeout"}[2m]))) or ' +
        '(0 * (sum(rate(privacy_requests_total{region="EU",type="export"}[2m]))))) / ' +
        '(sum(rate(privacy_requests_total{region="EU",type="export"}[2m])))',
    );
  });

  it('sanitizes ids for group names and keeps the raw id as a label value', () => {
    const [group] = groupsOf(privacy);
    expect(group.name).toMatch(
      /^slo_privacy_sla_region_EU_type_export_[0-9a-f]{8}$/,
    );
    const fast = alertRulesByTier([group]).get('fast')!;
    expect(fast.labels.slo).toBe('privacy-sla:region=EU,type=export');
    expect(fast.expr).toContain('slo_id="privacy-sla:region=EU,type=export"');
    expect(sanitizeName('a-b')).toBe('a_b');
    expect(sanitizeName('a:b')).not.toBe(sanitizeName('a=b'));
    expect(sanitizeName('9lives')).toMatch(/^_9lives$/);
    expect(ruleGroupName('x#1')).toMatch(/^slo_x_1_[0-9a-f]{8}$/);
  });

  it('escapes template actions in alert labels and annotations', () => {
    const rule = alertRulesByTier(groupsOf(latency)).get('page-1h')!;
    expect(rule.annotations.summary).toContain(
      'p99 {{ "{{" }} under }} 300 ms',
    );
  });

  it('says why a push-fed objective or a threshold SLI has no rules', () => {
    expect(generateRules({ ...checkout, indicator: 'push' })).toEqual({
      available: false,
      objectiveId: 'checkout-availability',
      reason: 'push',
      message: expect.stringContaining('push API'),
    });
    expect(
      generateRules({ ...checkout, indicator: { query: 'latency_p99' } }),
    ).toMatchObject({ available: false, reason: 'threshold-sli' });
  });

  it('warns about a query without {{window}}', () => {
    const result = generateRules({
      ...checkout,
      indicator: { bad: 'errors_ratio', total: 'sum(rate(x[{{window}}]))' },
    });
    expect(result.available && result.warnings).toEqual([
      expect.stringContaining('bad query has no {{window}}'),
    ]);
  });

  it('rejects what PromQL or the engine cannot take', () => {
    expect(() => generateRules({ ...checkout, target: 1 })).toThrow(RangeError);
    expect(() =>
      generateRules({
        ...checkout,
        tiers: [{ ...checkout.tiers[0], shortWindow: '5 minutes' }],
      }),
    ).toThrow(/invalid window '5 minutes'/);
  });

  it('generateRulesForAll keeps group names unique and lists what has no rules', () => {
    const all = generateRulesForAll([
      checkout,
      { ...checkout, id: 'checkout_availability' }, // sanitizes to the same name
      { ...privacy, id: 'pushed', indicator: 'push' },
    ]);
    expect(all.groups.map(g => g.name)).toEqual([
      'slo_checkout_availability',
      expect.stringMatching(/^slo_checkout_availability_[0-9a-f]{8}$/),
    ]);
    expect(all.unavailable.map(u => [u.objectiveId, u.reason])).toEqual([
      ['pushed', 'push'],
    ]);
    expect(() => toRulesFileYaml([...all.groups, all.groups[0]])).toThrow(
      /appears twice/,
    );
  });

  it('writes a PrometheusRule manifest', () => {
    const text = toPrometheusRuleManifest(groupsOf(checkout), {
      name: 'checkout-slo-rules',
      namespace: 'monitoring',
      labels: { release: 'kube-prometheus-stack' },
    });
    const manifest = parse(text);
    expect(manifest).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: 'checkout-slo-rules',
        namespace: 'monitoring',
        labels: { release: 'kube-prometheus-stack' },
      },
    });
    expect(manifest.spec.groups).toEqual(
      parse(toRulesFileYaml(groupsOf(checkout))).groups,
    );
    expect(() => toPrometheusRuleManifest([], { name: 'Not_Valid' })).toThrow(
      /not a valid Kubernetes name/,
    );
  });
});

describeWithPromtool('promtool check rules', promtool => {
  it.each([
    ['good/total, the four default tiers', checkout],
    ['bad/total, per-label id, custom tiers', privacy],
    ['histogram ratio by cluster, two tiers, template-looking name', latency],
  ])('accepts the rules of %s', async (_, objective) => {
    const run = await checkRules(
      promtool,
      toRulesFileYaml(groupsOf(objective)),
    );
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('accepts all objectives in one file, and the manifest groups', async () => {
    const { groups } = generateRulesForAll([checkout, privacy, latency]);
    const run = await checkRules(promtool, toRulesFileYaml(groups));
    expect(run.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(run.status).toBe(0);

    const manifest = parse(
      toPrometheusRuleManifest(groups, { name: 'slo-rules' }),
    );
    const fromManifest = await checkRules(
      promtool,
      toRulesFileYaml(manifest.spec.groups),
    );
    expect(fromManifest.status).toBe(0);
  });

  it('is a real check: it rejects a broken rule', async () => {
    const [group] = groupsOf(checkout);
    const broken = {
      ...group,
      rules: [{ record: 'slo:broken', expr: 'sum(rate(x[5m])' }],
    };
    const run = await checkRules(promtool, toRulesFileYaml([broken]));
    expect(run.status).not.toBe(0);
  });
});

/**
 * `promtool test rules` on the checkout rules (99.9% over 30 days, default
 * tiers 14.4/6/3/1). Samples every 5 minutes keep the runs fast: 100,000
 * requests per 5 minutes, so `100 × burn` errors per 5 minutes burn at
 * `burn`. Scenarios start after enough good traffic (`history`) that the
 * longer windows are not dominated by the burn (a window reaching before the
 * first sample covers only the samples there are).
 */
describeWithPromtool('promtool test rules', promtool => {
  const PER_STEP = 100_000;
  const STEPS_PER_HOUR = 12;
  const DAY = 24 * STEPS_PER_HOUR; // 5-minute steps in a day
  const groups = groupsOf(checkout);
  const rules = alertRulesByTier(groups);
  const series = { slo_id: checkout.id };

  /** Error counts per 5-minute step: `steps` at `burn`, after `history` good steps. */
  const burn = (b: number, steps: number, history: number) => [
    ...Array<number>(history).fill(0),
    ...Array<number>(steps).fill(100 * b),
  ];

  /** A test group: the counters of `errors` and the tiers expected at each time. */
  function scenario(
    errors: number[],
    expect: [minutes: number, tiers: string[]][],
    totalPerStep = PER_STEP,
  ): PromtoolTestGroup {
    return {
      interval: '5m',
      input_series: [
        {
          series: 'good_total',
          values: counterValues(errors.map(e => totalPerStep - e)),
        },
        {
          series: 'requests_total',
          values: counterValues(errors.map(() => totalPerStep)),
        },
      ],
      alert_rule_test: expect.map(([minutes, tiers]) => ({
        eval_time: `${minutes}m`,
        alertname: 'SloErrorBudgetBurn',
        exp_alerts: tiers.map(t => expectedAlert(rules.get(t)!, series)),
      })),
    };
  }

  /** One promtool process per test group, two at a time: the output of each that failed. */
  const failures = async (tests: PromtoolTestGroup[]) => {
    const rulesYaml = toRulesFileYaml(groups);
    const results = await mapLimit(tests, 2, t =>
      testRules(promtool, rulesYaml, [t], '5m'),
    );
    return results
      .filter(r => r.status !== 0 || !r.output.includes('SUCCESS'))
      .map(r => r.output);
  };

  /** Minutes since the first sample, `hours` after `history` steps. */
  const at = (history: number, hours: number) =>
    (history / STEPS_PER_HOUR + hours) * 60;

  it('fires each tier when both its windows burn at or above the threshold', async () => {
    const failed = await failures([
      // 20x for 1h: 1h and 5m at 20 >= 14.4; 6h at 3.3 < 6; 1d at 0.8 < 3.
      // It resolves as soon as the 5m window is clean.
      scenario(burn(20, 12, DAY).concat(Array(12).fill(0)), [
        [at(DAY, 1), ['page-1h']],
        [at(DAY, 1) + 10, []],
      ]),
      // exactly 14.4x for 1h: fires (>=, as the engine)
      scenario(burn(14.4, 12, DAY), [[at(DAY, 1), ['page-1h']]]),
      // 8x for 6h: 6h and 30m at 8 >= 6; 1h at 8 < 14.4; 1d at 2 < 3; 3d at 0.67 < 1.
      // (after 2 days of good traffic, the 3d window holds 2d6h: 0.89 < 1)
      scenario(burn(8, 72, 2 * DAY), [[at(2 * DAY, 6), ['page-6h']]]),
      // 3.5x for a day: 1d and 2h at 3.5 >= 3; the 3d window is at 1.17 >= 1,
      // so the 3-day ticket fires too (a 1-day burn of 3 always means 3d >= 1).
      scenario(burn(3.5, DAY, DAY), [
        [at(DAY, 24), ['ticket-1d', 'ticket-3d']],
      ]),
      // 1.2x for 3 days: 3d and 6h at 1.2 >= 1; 1d at 1.2 < 3.
      scenario(burn(1.2, 3 * DAY, 0), [[3 * 24 * 60, ['ticket-3d']]]),
      // a full outage with no good series at all still alerts (good counts as 0)
      {
        interval: '5m',
        input_series: [
          {
            series: 'requests_total',
            values: counterValues(Array(12).fill(PER_STEP)),
          },
        ],
        alert_rule_test: [
          {
            eval_time: '60m',
            alertname: 'SloErrorBudgetBurn',
            exp_alerts: ['page-1h', 'page-6h', 'ticket-1d', 'ticket-3d'].map(
              t => expectedAlert(rules.get(t)!, series),
            ),
          },
        ],
      },
    ]);
    expect(failed).toEqual([]);
  }, 120_000);

  it('stays quiet for steady good traffic, a burn just below a threshold and no traffic', async () => {
    const failed = await failures([
      // steady 0.05% errors (0.5x) for 3 days
      scenario(burn(0.5, 3 * DAY, 0), [
        [60, []],
        [24 * 60, []],
        [3 * 24 * 60, []],
      ]),
      // 14.3x for 1h: just below 14.4
      scenario(burn(14.3, 12, DAY), [[at(DAY, 1), []]]),
      // 5.9x for 6h: just below 6
      scenario(burn(5.9, 72, 2 * DAY), [[at(2 * DAY, 6), []]]),
      // 0.99x for 3 days: just below 1
      scenario(burn(0.99, 3 * DAY, 0), [[3 * 24 * 60, []]]),
      // no traffic at all for a day: 0/0 is NaN, which never fires
      scenario(
        Array(DAY).fill(0),
        [
          [60, []],
          [24 * 60, []],
        ],
        0,
      ),
    ]);
    expect(failed).toEqual([]);
  }, 120_000);
});
