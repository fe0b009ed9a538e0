import fs from 'fs';
import path from 'path';
import { parseOpenSlo, parseOpenSloText } from './parseOpenSlo';

const examples = path.resolve(__dirname, '../../../../examples/slos');

/** Policies, conditions and targets as separate documents, as the inline test repeats them. */
const ALERTING = `
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: fast-burn
spec:
  alertWhenBreaching: true
  alertWhenResolved: true
  conditions:
    - conditionRef: burn-14x-1h
  notificationTargets:
    - targetRef: oncall-pagerduty
    - targetRef: team-slack
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: burn-14x-1h
spec:
  severity: critical
  condition:
    kind: burnrate
    op: gte
    threshold: 14.4
    lookbackWindow: 1h
    alertAfter: 5m
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: oncall-pagerduty
spec:
  target: PagerDuty
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: team-slack
spec:
  description: '#checkout'
  target: slack
`;

const REFERENCED = `${ALERTING}
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: api-non-5xx
  displayName: API non-5xx responses
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        metricSourceRef: prometheus
        spec:
          query: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
    total:
      metricSource:
        metricSourceRef: prometheus
        spec:
          query: sum(rate(http_requests_total[{{window}}]))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
  displayName: API availability
spec:
  service: api-gateway
  indicatorRef: api-non-5xx
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 99.9
  alertPolicies:
    - alertPolicyRef: fast-burn
`;

const INLINE = `
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
  displayName: API availability
spec:
  service: api-gateway
  indicator:
    metadata:
      name: api-non-5xx
      displayName: API non-5xx responses
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            metricSourceRef: prometheus
            spec:
              query: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
        total:
          metricSource:
            metricSourceRef: prometheus
            spec:
              query: sum(rate(http_requests_total[{{window}}]))
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: fast-burn
      spec:
        alertWhenBreaching: true
        alertWhenResolved: true
        conditions:
          - kind: AlertCondition
            metadata:
              name: burn-14x-1h
            spec:
              severity: critical
              condition:
                kind: burnrate
                op: gte
                threshold: 14.4
                lookbackWindow: 1h
                alertAfter: 5m
        notificationTargets:
          - kind: AlertNotificationTarget
            metadata:
              name: oncall-pagerduty
            spec:
              target: PagerDuty
          - kind: AlertNotificationTarget
            metadata:
              name: team-slack
            spec:
              description: '#checkout'
              target: slack
`;

/** A minimal SLO around the given indicator spec and SLO spec lines. */
function slo(name: string, extraSpec: string, indicatorSpec?: string): string {
  return `apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${name}
spec:
  service: svc
  indicator:
    metadata:
      name: ${name}-sli
    spec:
${
  indicatorSpec ??
  `      ratioMetric:
        good:
          metricSource:
            type: push
        total:
          metricSource:
            type: push`
}
${extraSpec}`;
}

describe('parseOpenSlo', () => {
  it('parses every example in examples/slos without errors', () => {
    const files = fs
      .readdirSync(examples)
      .filter(f => /\.ya?ml$/.test(f))
      .map(f => ({
        file: `examples/slos/${f}`,
        text: fs.readFileSync(path.join(examples, f), 'utf8'),
      }));
    expect(files.length).toBeGreaterThan(0);
    const { objectives, errors } = parseOpenSlo(files);
    expect(errors).toEqual([]);
    expect(objectives.length).toBeGreaterThanOrEqual(files.length);
    // The privacy SLA is fed by the privacy plugin; the rest by Prometheus.
    const sourceOf = (o: (typeof objectives)[number]) =>
      o.indicator.source === 'push' ? 'push' : o.indicator.source.type;
    expect(
      new Set(objectives.filter(o => o.service === 'privacy').map(sourceOf)),
    ).toEqual(new Set(['push']));
    expect(
      new Set(objectives.filter(o => o.service !== 'privacy').map(sourceOf)),
    ).toEqual(new Set(['prometheus']));
    for (const o of objectives) {
      expect(o.sourceFile).toMatch(/^examples\/slos\//);
    }
  });

  it('gives the same objective for referenced and inline documents', () => {
    const referenced = parseOpenSloText(REFERENCED, 'slo.yaml');
    const inline = parseOpenSloText(INLINE, 'slo.yaml');
    expect(referenced.errors).toEqual([]);
    expect(inline.errors).toEqual([]);
    const strip = ({ sourceLine, ...rest }: any) => rest;
    expect(referenced.objectives.map(strip)).toEqual(
      inline.objectives.map(strip),
    );
    expect(referenced.objectives).toEqual([
      {
        id: 'api-availability',
        name: 'api-availability',
        displayName: 'API availability',
        service: 'api-gateway',
        target: 0.999,
        budgeting: { method: 'Occurrences' },
        window: { type: 'rolling', duration: '28d', minutes: 28 * 1440 },
        indicator: {
          name: 'api-non-5xx',
          displayName: 'API non-5xx responses',
          kind: 'ratio',
          counter: true,
          source: {
            type: 'prometheus',
            dataSource: {
              name: 'prometheus',
              connectionDetails: { url: 'http://prometheus:9090' },
            },
            bad: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))',
            total: 'sum(rate(http_requests_total[{{window}}]))',
          },
        },
        alertPolicies: [
          {
            name: 'fast-burn',
            alertWhenBreaching: true,
            alertWhenResolved: true,
            alertWhenNoData: false,
            condition: {
              name: 'burn-14x-1h',
              severity: 'critical',
              kind: 'burnrate',
              op: 'gte',
              threshold: 14.4,
              lookbackWindow: '1h',
              lookbackMinutes: 60,
              alertAfter: '5m',
              alertAfterMinutes: 5,
            },
            notificationTargets: [
              { name: 'oncall-pagerduty', type: 'pagerduty' },
              { name: 'team-slack', type: 'slack', description: '#checkout' },
            ],
          },
        ],
        labels: {},
        sourceFile: 'slo.yaml',
        sourceLine: expect.any(Number),
      },
    ]);
  });

  it('reports an invalid document with file, line and field path, and still parses the others', () => {
    const text = [
      slo(
        'first',
        `  timeWindow:
    - duration: 7d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99`,
      ),
      slo(
        'broken',
        `  timeWindow:
    - duration: 7d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: too much
      target: 1.5`,
      ),
      slo(
        'last',
        `  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.95`,
      ),
    ].join('\n---\n');
    const { objectives, errors } = parseOpenSloText(text, 'team/slos.yaml');
    expect(objectives.map(o => o.id)).toEqual(['first', 'last']);
    const targetLine =
      text.split('\n').findIndex(l => l.includes('target: 1.5')) + 1;
    expect(errors).toEqual([
      {
        file: 'team/slos.yaml',
        line: targetLine,
        path: 'spec.objectives[0].target',
        message: expect.stringContaining('less than 1'),
      },
    ]);
  });

  it('reports broken YAML and a missing field at its parent', () => {
    const { errors } = parseOpenSloText(
      `apiVersion: openslo/v1
kind: SLO
metadata:
  name: no-service
spec:
  indicatorRef: x
  timeWindow: [{ duration: 7d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.9 }]
---
kind: [unclosed
`,
      'a.yaml',
    );
    expect(errors).toEqual([
      { file: 'a.yaml', line: 5, path: 'spec.service', message: 'Required' },
      {
        file: 'a.yaml',
        line: expect.any(Number),
        path: '',
        message: expect.stringContaining('invalid YAML'),
      },
    ]);
  });

  it('reports an unresolved reference by name and skips that SLO', () => {
    const text = REFERENCED.replace(
      'alertPolicyRef: fast-burn',
      'alertPolicyRef: slow-burn',
    ).replace('targetRef: team-slack', 'targetRef: team-teams');
    const { objectives, errors } = parseOpenSloText(text, 'refs.yaml');
    expect(objectives).toEqual([]);
    const lineOf = (s: string) =>
      text.split('\n').findIndex(l => l.includes(s)) + 1;
    expect(errors).toEqual([
      {
        file: 'refs.yaml',
        line: lineOf('alertPolicyRef: slow-burn'),
        path: 'spec.alertPolicies[0].alertPolicyRef',
        message:
          'AlertPolicy "slow-burn" (alertPolicyRef) is not defined or is invalid',
      },
    ]);
    const missingTarget = parseOpenSloText(
      REFERENCED.replace('targetRef: team-slack', 'targetRef: team-teams'),
      'refs.yaml',
    );
    expect(missingTarget.objectives).toEqual([]);
    expect(missingTarget.errors.map(e => [e.line, e.path, e.message])).toEqual([
      [
        REFERENCED.split('\n').indexOf('    - targetRef: team-slack') + 1,
        'spec.notificationTargets[1].targetRef',
        'AlertNotificationTarget "team-teams" (targetRef) is not defined or is invalid',
      ],
    ]);
    // the unused policy's broken target is not reported: only what an SLO uses is resolved
    const missingSli = parseOpenSloText(
      REFERENCED.replace('indicatorRef: api-non-5xx', 'indicatorRef: nope'),
      'refs.yaml',
    );
    expect(missingSli.errors.map(e => [e.path, e.message])).toEqual([
      [
        'spec.indicatorRef',
        'SLI "nope" (indicatorRef) is not defined or is invalid',
      ],
    ]);
  });

  it('resolves references across files and reports a missing DataSource', () => {
    const [alerting, rest] = [ALERTING, REFERENCED.slice(ALERTING.length)];
    const across = parseOpenSlo([
      { file: 'alerting.yaml', text: alerting },
      { file: 'slo.yaml', text: rest },
    ]);
    expect(across.errors).toEqual([]);
    expect(across.objectives[0].alertPolicies[0].name).toBe('fast-burn');

    const noDs = parseOpenSloText(
      REFERENCED.replace(
        /metricSourceRef: prometheus/g,
        'metricSourceRef: prom2',
      ),
      'slo.yaml',
    );
    expect(noDs.objectives).toEqual([]);
    expect(noDs.errors.map(e => e.path)).toEqual([
      'spec.ratioMetric.bad.metricSource.metricSourceRef',
      'spec.ratioMetric.total.metricSource.metricSourceRef',
    ]);
  });

  it('fans a per-label SLO out into one objective per combination', () => {
    const text = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: privacy-sla
  displayName: Privacy request SLA
  labels:
    team: privacy
  annotations:
    slo.ops.portal/fan-out-by: region,type
    slo.ops.portal/fan-out-values: '{"region":["EU","US"],"type":["export","delete"]}'
spec:
  service: privacy
  indicator:
    metadata:
      name: privacy-within-sla
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(increase(dsar_within_sla_total{region="{{region}}",type="{{ type }}"}[{{window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(increase(dsar_total{region="{{region}}",type="{{type}}"}[{{window}}]))
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
`;
    const { objectives, errors } = parseOpenSloText(text, 'privacy.yaml');
    expect(errors).toEqual([]);
    expect(objectives.map(o => o.id)).toEqual([
      'privacy-sla:region=EU,type=export',
      'privacy-sla:region=EU,type=delete',
      'privacy-sla:region=US,type=export',
      'privacy-sla:region=US,type=delete',
    ]);
    const usDelete = objectives[3];
    expect(usDelete.labels).toEqual({
      team: 'privacy',
      region: 'US',
      type: 'delete',
    });
    expect(usDelete.displayName).toBe(
      'Privacy request SLA (region=US, type=delete)',
    );
    expect(usDelete.indicator.source).toEqual({
      type: 'prometheus',
      good: 'sum(increase(dsar_within_sla_total{region="US",type="delete"}[{{window}}]))',
      total: 'sum(increase(dsar_total{region="US",type="delete"}[{{window}}]))',
    });

    const bad = parseOpenSloText(
      text.replace('"US"]', '"US\\"}"]'),
      'privacy.yaml',
    );
    expect(bad.objectives).toEqual([]);
    expect(bad.errors).toEqual([
      {
        file: 'privacy.yaml',
        line: 10,
        path: 'metadata.annotations["slo.ops.portal/fan-out-values"]',
        message: expect.stringContaining('"region" needs a list'),
      },
    ]);
  });

  it('reads rolling and calendar windows', () => {
    const windows = [
      ['7d', 'isRolling: true'],
      ['1h', 'isRolling: true'],
      [
        '1w',
        `calendar:
        startTime: 2024-01-01 00:00:00
        timeZone: Europe/Berlin`,
      ],
      [
        '1M',
        `isRolling: false
      calendar:
        startTime: 2024-01-01
        timeZone: UTC`,
      ],
    ];
    const text = windows
      .map(([duration, rest], i) =>
        slo(
          `w${i}`,
          `  timeWindow:
    - duration: ${duration}
      ${rest}
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99`,
        ),
      )
      .join('\n---\n');
    const { objectives, errors } = parseOpenSloText(text, 'w.yaml');
    expect(errors).toEqual([]);
    expect(objectives.map(o => o.window)).toEqual([
      { type: 'rolling', duration: '7d', minutes: 10080 },
      { type: 'rolling', duration: '1h', minutes: 60 },
      {
        type: 'calendar',
        duration: '1w',
        count: 1,
        unit: 'w',
        startTime: '2024-01-01 00:00:00',
        timeZone: 'Europe/Berlin',
      },
      {
        type: 'calendar',
        duration: '1M',
        count: 1,
        unit: 'M',
        startTime: '2024-01-01 00:00:00',
        timeZone: 'UTC',
      },
    ]);
    expect(objectives.every(o => o.indicator.source === 'push')).toBe(true);

    const rollingMonth = slo(
      'rolling-month',
      `  timeWindow:
    - duration: 1M
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99`,
    );
    const badZone = slo(
      'bad-zone',
      `  timeWindow:
    - duration: 1M
      calendar: { startTime: 2024-01-01, timeZone: Mars/Olympus }
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99`,
    );
    const wrong = parseOpenSloText(
      `${rollingMonth}\n---\n${badZone}`,
      'w.yaml',
    );
    expect(wrong.errors.map(e => [e.path, e.message])).toEqual([
      [
        'spec.timeWindow[0].duration',
        'a rolling window needs a fixed length: use m, h, d or w',
      ],
      ['spec.timeWindow[0].calendar.timeZone', 'unknown IANA time zone'],
    ]);
  });

  it('reads a threshold SLI with the objective op and value', () => {
    const text = slo(
      'latency',
      `  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: p99 under 300 ms
      op: lt
      value: 0.3
      target: 0.99`,
      `      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))`,
    );
    const { objectives, errors } = parseOpenSloText(text, 't.yaml');
    expect(errors).toEqual([]);
    expect(objectives[0].indicator).toEqual({
      name: 'latency-sli',
      kind: 'threshold',
      source: {
        type: 'prometheus',
        query:
          'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))',
      },
      threshold: { op: 'lt', value: 0.3 },
    });

    const noOp = parseOpenSloText(text.replace('      op: lt\n', ''), 't.yaml');
    expect(noOp.errors.map(e => [e.path, e.message])).toEqual([
      ['spec.objectives[0].op', 'required with a thresholdMetric SLI'],
    ]);
  });

  it('reads timeslice budgeting', () => {
    const text = slo(
      'slices',
      `  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Timeslices
  objectives:
    - target: 0.99
      timeSliceTarget: 0.95
      timeSliceWindow: 5
    - target: 0.9
      timeSliceTarget: 0.9
      timeSliceWindow: 1h`,
    );
    const { objectives, errors } = parseOpenSloText(text, 's.yaml');
    expect(errors).toEqual([]);
    expect(objectives.map(o => [o.id, o.budgeting])).toEqual([
      [
        'slices#0',
        {
          method: 'Timeslices',
          timeSliceTarget: 0.95,
          timeSliceWindow: '5m',
          timeSliceWindowMinutes: 5,
        },
      ],
      [
        'slices#1',
        {
          method: 'Timeslices',
          timeSliceTarget: 0.9,
          timeSliceWindow: '1h',
          timeSliceWindowMinutes: 60,
        },
      ],
    ]);

    const missing = parseOpenSloText(
      text.replace('      timeSliceTarget: 0.95\n', ''),
      's.yaml',
    );
    expect(missing.errors.map(e => [e.path, e.message])).toEqual([
      [
        'spec.objectives[0].timeSliceTarget',
        'required with budgetingMethod: Timeslices',
      ],
    ]);
  });

  it('refuses a query from a source other than Prometheus', () => {
    const { errors } = parseOpenSloText(
      slo(
        'dd',
        `  timeWindow:
    - duration: 7d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99`,
        `      thresholdMetric:
        metricSource:
          type: Datadog
          spec:
            query: avg:latency{*}`,
      ).replace('target: 0.99', 'target: 0.99\n      op: lt\n      value: 1'),
      'dd.yaml',
    );
    expect(errors.map(e => [e.path, e.message])).toEqual([
      [
        'spec.indicator.spec.thresholdMetric.metricSource.type',
        expect.stringContaining('"Datadog" is not supported'),
      ],
    ]);
  });
});
