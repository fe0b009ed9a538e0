import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import type { Registry } from 'prom-client';
import { pushObjectiveYaml, sloServices } from '../testing/sloTestDatabase';
import { SloMetricsStore } from './SloMetricsStore';
import { createSloMetrics, firingSamples, pendingSamples } from './sloMetrics';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const MINUTE = 60_000;
const START = Date.parse('2026-12-01T00:00:00Z');
const REF = 'api-availability';
const QUIET = 'search-latency';

function minutes(from: number, count: number, errorRatio: number) {
  return Array.from({ length: count }, (_, i) => ({
    minute: new Date(from + i * MINUTE),
    good: Math.round(1000 * (1 - errorRatio)),
    total: 1000,
  }));
}

/** Each sample of each metric, keyed by its labels in order. */
async function scrape(registry: Registry) {
  const values = new Map<string, Map<string, number>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    values.set(
      metric.name,
      new Map(
        metric.values.map(v => [
          Object.values(v.labels).join(','),
          Number(v.value),
        ]),
      ),
    );
  }
  return values;
}

async function setup(id: TestDatabaseId) {
  const knex = await databases.init(id);
  let clock = new Date(START);
  const services = await sloServices(knex, {
    files: [
      { file: 'api.yaml', text: pushObjectiveYaml(REF) },
      {
        file: 'search.yaml',
        text: pushObjectiveYaml(QUIET, { service: 'search', target: 0.99 }),
      },
    ],
    now: () => clock,
    logger: mockServices.logger.mock(),
  });
  // A clean day, then an hour at 2% errors: 20× the budget of 99.9%.
  await services.samples.upsertMinutes(REF, minutes(START, 1440, 0), 'push');
  await services.samples.upsertMinutes(
    REF,
    minutes(START + 1440 * MINUTE, 60, 0.02),
    'push',
  );
  clock = new Date(START + 1499 * MINUTE + 90_000);
  await services.evaluation.evaluateAll();
  const registry = createSloMetrics({
    source: new SloMetricsStore(knex, services.outbox),
    targets: ['pager', 'tickets'],
  });
  return { ...services, registry };
}

describe.each(databases.eachSupportedId())('SLO metrics on %p', id => {
  it('reports the latest stored evaluation of each objective, its firing alerts and the outbox', async () => {
    const s = await setup(id);
    const values = await scrape(s.registry);
    const [stored] = (
      await s.objectives.list({ q: REF }, { limit: 1, offset: 0 })
    ).items;
    const status = stored.status!;

    expect(values.get('slo_objective_target')).toEqual(
      new Map([
        [`${REF},api-gateway`, 0.999],
        [`${QUIET},search`, 0.99],
      ]),
    );
    // 1,200 bad of 1,500,000 events: 80% of the 0.1% budget spent.
    expect(status.sli).toBeCloseTo(0.9992, 9);
    expect(values.get('slo_sli_ratio')).toEqual(
      new Map([[`${REF},api-gateway`, status.sli]]),
    );
    expect(status.budgetRemaining).toBeCloseTo(0.2, 9);
    expect(values.get('slo_error_budget_remaining_ratio')).toEqual(
      new Map([[`${REF},api-gateway`, status.budgetRemaining]]),
    );
    // Every window the evaluation stored, with its burn rate; none for the
    // objective without traffic.
    const burn = values.get('slo_burn_rate')!;
    const windows = Object.entries(status.burnRates).filter(
      ([, b]) => !b.noTraffic,
    );
    expect(windows.map(([w]) => w)).toEqual(
      expect.arrayContaining(['5m', '1h', '6h', '1d', '3d']),
    );
    expect(burn).toEqual(
      new Map(windows.map(([w, b]) => [`${REF},api-gateway,${w}`, b.burnRate])),
    );
    expect(burn.get(`${REF},api-gateway,1h`)).toBeCloseTo(20, 6);

    expect(values.get('slo_alerts_firing')).toEqual(
      new Map([
        [`${REF},api-gateway,page`, 1],
        [`${REF},api-gateway,ticket`, 0],
        [`${QUIET},search,page`, 0],
        [`${QUIET},search,ticket`, 0],
      ]),
    );
    expect(values.get('slo_notifications_pending')).toEqual(
      new Map([
        ['pager', 1],
        ['tickets', 0],
      ]),
    );
  });

  it('follows the rows: a delivered notification and a resolved alert leave the gauges', async () => {
    const s = await setup(id);
    const [alert] = (
      await s.alerts.list({ state: 'firing' }, { limit: 1, offset: 0 })
    ).items;
    await s.alertService.acknowledge(alert.id, {
      actor: 'user:default/jane.doe',
      reason: 'looking at it',
    });
    await s.knex('slo_outbox').update({ state: 'delivered' });
    await s.knex('slo_alerts').update({ state: 'resolved' });

    const values = await scrape(s.registry);
    expect(
      values.get('slo_alerts_firing')?.get(`${REF},api-gateway,page`),
    ).toBe(0);
    expect(values.get('slo_notifications_pending')?.get('pager')).toBe(0);
    // Only ids, services, windows, severities and targets: no user.
    const text = await s.registry.metrics();
    expect(text).not.toContain('jane.doe');
    expect(text).not.toContain('looking at it');
  });
});

describe('SLO metric samples', () => {
  const evaluations = [
    { objective: 'a', service: 'web', target: 0.99, status: null },
  ];

  it('reports alerts of an objective no longer discovered under an empty service', () => {
    expect(
      firingSamples(evaluations, [
        { objective: 'a', severity: 'ticket', count: 2 },
        { objective: 'gone', severity: 'page', count: 1 },
      ]),
    ).toEqual([
      {
        labels: { objective: 'a', service: 'web', severity: 'page' },
        value: 0,
      },
      {
        labels: { objective: 'a', service: 'web', severity: 'ticket' },
        value: 2,
      },
      {
        labels: { objective: 'gone', service: '', severity: 'page' },
        value: 1,
      },
    ]);
  });

  it('reports every configured target, and any other that has deliveries', () => {
    expect(
      pendingSamples(
        ['pager', 'slack'],
        [
          { target: 'slack', count: 3 },
          { target: 'removed', count: 1 },
        ],
      ),
    ).toEqual([
      { labels: { target: 'pager' }, value: 0 },
      { labels: { target: 'slack' }, value: 3 },
      { labels: { target: 'removed' }, value: 1 },
    ]);
  });
});
