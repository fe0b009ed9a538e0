import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { pushObjectiveYaml, sloServices } from '../testing/sloTestDatabase';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const MINUTE = 60_000;
const START = Date.parse('2026-12-01T00:00:00Z');
const REF = 'api-availability';

/** `count` minutes from `from` with `perMinute` events, `errorRatio` of them bad. */
function minutes(from: number, count: number, errorRatio: number) {
  return Array.from({ length: count }, (_, i) => ({
    minute: new Date(from + i * MINUTE),
    good: Math.round(1000 * (1 - errorRatio)),
    total: 1000,
  }));
}

async function setup(id: TestDatabaseId) {
  const knex = await databases.init(id);
  let clock = new Date(START);
  const services = await sloServices(knex, {
    files: [{ file: 'api.yaml', text: pushObjectiveYaml(REF) }],
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
  const spikeEnd = START + 1499 * MINUTE;
  return {
    ...services,
    spikeEnd,
    setClock: (ms: number) => {
      clock = new Date(ms);
    },
  };
}

describe.each(databases.eachSupportedId())('EvaluationService on %p', id => {
  it('fires the 1h page tier once, with one delivery per target, and resolves it when the short window recovers', async () => {
    const s = await setup(id);
    s.setClock(s.spikeEnd + 90_000);

    const first = await s.evaluation.evaluateAll();
    expect(first).toMatchObject({ evaluated: 1, failed: 0, fired: 1 });
    const status = await s.objectiveService.status(REF);
    expect(status.firing).toEqual(['page-1h']);
    expect(status.burnRates['1h'].burnRate).toBeCloseTo(20, 6);
    expect(status.burnRates['5m'].burnRate).toBeCloseTo(20, 6);
    expect(status.tiers.find(t => t.name === 'page-1h')?.threshold).toBeCloseTo(
      14.4,
      9,
    );

    // The same minute again, and the next: no second alert, no second delivery.
    await s.evaluation.evaluateAll();
    s.setClock(s.spikeEnd + 90_000 + MINUTE);
    await s.evaluation.evaluateAll(s.spikeEnd);
    const firing = await s.alerts.list(
      { state: 'firing' },
      { limit: 10, offset: 0 },
    );
    expect(firing.items).toHaveLength(1);
    expect(firing.items[0]).toMatchObject({
      objectiveRef: REF,
      tier: 'page-1h',
      severity: 'page',
      dedupKey: `${REF}:page-1h`,
    });
    const deliveries = await s.knex('slo_outbox').orderBy('id');
    expect(deliveries.map(d => d.idempotency_key)).toEqual([
      `slo-alert:${firing.items[0].id}:fired:pager`,
    ]);
    expect(JSON.parse(deliveries[0].payload)).toMatchObject({
      event: 'fired',
      tier: { name: 'page-1h', severity: 'page' },
      links: { objective: `http://portal.test/slo/objectives/${REF}` },
    });
    const pending = await s.knex('slo_audit_pending').select('type');
    expect(pending.map(p => p.type)).toEqual(['alert.fired']);

    // Ten clean minutes: the 5m window falls back, the alert resolves.
    await s.samples.upsertMinutes(
      REF,
      minutes(s.spikeEnd + MINUTE, 10, 0),
      'push',
    );
    s.setClock(s.spikeEnd + 12 * MINUTE);
    const later = await s.evaluation.evaluateAll();
    expect(later).toMatchObject({ resolved: 1, fired: 0 });
    const alert = await s.alerts.getById(firing.items[0].id);
    expect(alert?.state).toBe('resolved');
    const keys = (await s.knex('slo_outbox').orderBy('id')).map(
      d => d.idempotency_key,
    );
    expect(keys).toEqual([
      `slo-alert:${alert!.id}:fired:pager`,
      `slo-alert:${alert!.id}:resolved:pager`,
    ]);
    await s.audit.chainPending({ wait: true });
    expect((await s.audit.verify()).ok).toBe(true);

    // A quiet minute (no alert moves) is kept for the overview in the batch.
    s.setClock(s.spikeEnd + 13 * MINUTE);
    expect(await s.evaluation.evaluateAll()).toMatchObject({
      evaluated: 1,
      fired: 0,
      resolved: 0,
    });
    const [listed] = (await s.objectives.list({}, { limit: 1, offset: 0 }))
      .items;
    expect(listed.status?.at).toBe(
      new Date(s.spikeEnd + 12 * MINUTE).toISOString(),
    );
    expect(listed.state).toBe(
      listed.status!.sli === null ? 'no-data' : 'burning',
    );
    const sorted = await s.objectives.list(
      { state: listed.state },
      { limit: 1, offset: 0 },
      { by: 'budget', order: 'asc' },
    );
    expect(sorted.totalCount).toBe(1);
  });

  it('answers the status of any stored minute the way the live evaluation saw it', async () => {
    const s = await setup(id);
    s.setClock(s.spikeEnd + 5 * 60 * MINUTE);
    const before = await s.objectiveService.status(
      REF,
      new Date(START + 1400 * MINUTE),
    );
    expect(before.firing).toEqual([]);
    expect(before.burnRates['1h'].burnRate).toBe(0);
    const during = await s.objectiveService.status(REF, new Date(s.spikeEnd));
    expect(during.firing).toEqual(['page-1h']);
    // Past the data: no traffic in the short windows, which says so.
    const after = await s.objectiveService.status(REF);
    expect(after.burnRates['5m']).toEqual({ burnRate: 0, noTraffic: true });
    expect(after.firing).toEqual([]);
    expect(after.dataThrough).toBe(new Date(s.spikeEnd).toISOString());
  });

  it('draws the series with the same numbers, a gap where there was no traffic', async () => {
    const s = await setup(id);
    s.setClock(s.spikeEnd + 60 * MINUTE);
    const series = await s.objectiveService.series(REF, {
      from: new Date(s.spikeEnd - 30 * MINUTE),
      to: new Date(s.spikeEnd + 30 * MINUTE),
      stepMinutes: 10,
    });
    expect(series.points).toHaveLength(7);
    const at = (ms: number) =>
      series.points.find(p => p.at === new Date(ms).toISOString())!;
    expect(at(s.spikeEnd - 30 * MINUTE).burnRates['5m']).toBeCloseTo(20, 6);
    expect(at(s.spikeEnd + 10 * MINUTE).burnRates['5m']).toBeNull();
    expect(series.tiers.map(t => t.name)).toEqual([
      'page-1h',
      'page-6h',
      'ticket-1d',
      'ticket-3d',
    ]);
  });

  it('acknowledges with a reason, audited and sent to whoever was paged', async () => {
    const s = await setup(id);
    s.setClock(s.spikeEnd + 90_000);
    await s.evaluation.evaluateAll();
    const [alert] = (await s.alerts.list({}, { limit: 1, offset: 0 })).items;
    const acked = await s.alertService.acknowledge(alert.id, {
      actor: 'user:default/oncall',
      reason: 'rolling back',
    });
    expect(acked.acknowledged).toMatchObject({
      by: 'user:default/oncall',
      reason: 'rolling back',
    });
    const keys = (await s.knex('slo_outbox').orderBy('id')).map(
      d => d.idempotency_key,
    );
    expect(keys[1]).toMatch(
      new RegExp(`^slo-alert:${alert.id}:acknowledged:\\d+:pager$`),
    );
    const types = (await s.knex('slo_audit_pending').orderBy('id')).map(
      p => p.type,
    );
    expect(types).toEqual(['alert.fired', 'alert.acknowledged']);
  });
});
