/*
 * Fault: the Prometheus an objective is read from goes away, and comes back.
 *
 * A local HTTP server speaks Prometheus's `GET /api/v1/query_range` (a
 * matrix of one series, the rate per second at each step) for a service
 * that serves 1000 requests a minute: all good until BURN_FROM, then 98 %
 * good (20x the 0.1 % budget of a 0.999 objective). The test's clock moves.
 *
 *  1. Prometheus up: the first sync reads the last three hours (all good).
 *  2. Two hours later, nothing listens on Prometheus's port; then the port
 *     answers 503. Syncs fail and store nothing; the evaluation goes on from
 *     the stored minutes. The two hours not read are a gap: in `/series`
 *     their burn rates are null (before the gap they are 0), and `/status`
 *     reports `noTraffic` for the windows wholly inside it, firing nothing.
 *  3. Prometheus answers again: the next sync reads exactly the missed
 *     minutes, and the evaluation of a minute inside the former gap now
 *     sees the burn and fires the 1h page.
 */
import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { createPermissionMiddleware } from '@internal/plugin-ops-node';
import express from 'express';
import request from 'supertest';
import { createRouter } from '../router';
import { SampleService } from '../samples';
import { PrometheusSource } from '../sources';
import { sloServices } from '../testing/sloTestDatabase';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const MINUTE = 60_000;
const REF = 'checkout-availability';
/** The clock when the first sync runs. */
const T0 = Date.parse('2026-11-20T12:00:00.000Z');
/** From here on 2 % of the requests fail (the minute bucket's start). */
const BURN_FROM = T0;
const OUTAGE_MINUTES = 120;

const GOOD_QUERY = 'sum(rate(http_requests_total{code!~"5.."}[{{window}}]))';
const TOTAL_QUERY = 'sum(rate(http_requests_total[{{window}}]))';

const objectiveYaml = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${REF}
  displayName: Checkout availability
spec:
  service: checkout
  indicator:
    metadata:
      name: checkout-non-5xx
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: '${GOOD_QUERY}'
        total:
          metricSource:
            type: Prometheus
            spec:
              query: '${TOTAL_QUERY}'
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
`;

/** The requests of the minute bucket starting at `minute`. */
const countsOf = (minute: number) => ({
  total: 1000,
  good: minute >= BURN_FROM ? 980 : 1000,
});

/**
 * Prometheus's query_range for the two queries of the objective. `mode`:
 * `up` answers, `unavailable` answers 503 as Prometheus does when it is not
 * ready. Keeps the ranges asked for.
 */
class FakePrometheus {
  mode: 'up' | 'unavailable' = 'up';
  readonly ranges: Array<{ query: string; start: number; end: number }> = [];
  #server: Server | undefined;

  constructor(private port = 0) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://prometheus');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (this.mode === 'unavailable') {
        send(503, {
          status: 'error',
          errorType: 'unavailable',
          error: 'Service Unavailable',
        });
        return;
      }
      if (url.pathname !== '/api/v1/query_range') {
        send(404, { status: 'error', errorType: 'not_found', error: 'no' });
        return;
      }
      const query = url.searchParams.get('query') ?? '';
      const start = Number(url.searchParams.get('start')) * 1000;
      const end = Number(url.searchParams.get('end')) * 1000;
      if (url.searchParams.get('step') !== '60s') {
        send(400, { status: 'error', errorType: 'bad_data', error: 'step' });
        return;
      }
      this.ranges.push({ query, start, end });
      const good = query.includes('code!~');
      const values: Array<[number, string]> = [];
      for (let at = start; at <= end; at += MINUTE) {
        // The point at T is the rate over the minute ending at T.
        const counts = countsOf(at - MINUTE);
        const perMinute = good ? counts.good : counts.total;
        values.push([at / 1000, String(perMinute / 60)]);
      }
      send(200, {
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: {}, values }] },
      });
    });
    await new Promise<void>(resolve =>
      server.listen(this.port, '127.0.0.1', () => resolve()),
    );
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Nothing listens on the port any more. */
  async close() {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
}

describe.each(databases.eachSupportedId())(
  'Prometheus down, then back, on %p',
  databaseId => {
    let prometheus: FakePrometheus | undefined;
    afterEach(async () => {
      await prometheus?.close();
    });

    it('evaluates on from stored minutes, shows the gap, and reads it back', async () => {
      let now = T0;
      const knex = await databases.init(databaseId as TestDatabaseId);
      const logger = mockServices.logger.mock();
      const services = await sloServices(knex, {
        files: [{ file: 'checkout.yaml', text: objectiveYaml }],
        now: () => new Date(now),
        logger,
      });
      expect(services.discovered.problems).toEqual([]);
      prometheus = await new FakePrometheus().listen();
      const source = new PrometheusSource({
        store: services.samples,
        logger,
        baseUrl: prometheus.url,
        timeoutMs: 2_000,
        backfillMinutes: 180,
      });
      const objective = async () => (await services.objectives.all())[0];

      // The API, as the plugin mounts it, on these services.
      const allow = createPermissionMiddleware(async () => ({
        $$type: '@backstage/BackstageCredentials' as const,
        principal: { type: 'service' as const, subject: 'test' },
      }));
      const router = await createRouter({
        objectives: services.objectiveService,
        samples: new SampleService({
          store: services.samples,
          objectiveExists: ref => services.objectives.exists(ref),
        }),
        alerts: services.alertService,
        allow,
        now: () => new Date(now),
      });
      const errors = MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger,
      });
      const app = express().use(router).use(errors.error());
      const status = async (at: number) => {
        const res = await request(app).get(
          `/objectives/${REF}/status?at=${new Date(at).toISOString()}`,
        );
        expect(res.status).toBe(200);
        return res.body;
      };
      const series = async (from: number, to: number) => {
        const res = await request(app).get(
          `/objectives/${REF}/series?from=${new Date(
            from,
          ).toISOString()}&to=${new Date(to).toISOString()}&step=1`,
        );
        expect(res.status).toBe(200);
        return res.body.points as Array<{
          at: string;
          burnRates: Record<string, number | null>;
          firing: string[];
        }>;
      };

      // 1. Up: three hours read, all good.
      const first = await source.syncObjective(
        (
          await objective()
        ).objective,
        new Date(now),
      );
      expect(first).toMatchObject({
        stored: 180,
        lastMinute: new Date(T0 - MINUTE).toISOString(),
      });
      expect((await services.evaluation.evaluateAll()).fired).toBe(0);

      // 2. Two hours on, nothing listens on the port.
      const port = new URL(prometheus.url).port;
      await prometheus.close();
      now = T0 + OUTAGE_MINUTES * MINUTE;
      const refused = await source.syncObjective(
        (
          await objective()
        ).objective,
        new Date(now),
      );
      expect(refused).toEqual({
        objectiveRef: REF,
        stored: 0,
        error: expect.stringContaining('did not answer'),
      });
      // Then the port answers 503.
      prometheus = await new FakePrometheus(Number(port)).listen();
      prometheus.mode = 'unavailable';
      const unavailable = await source.syncAll(
        [(await objective()).objective],
        new Date(now),
      );
      expect(unavailable).toEqual([
        {
          objectiveRef: REF,
          stored: 0,
          error: expect.stringContaining('503'),
        },
      ]);
      expect(await services.samples.latestMinute(REF)).toEqual(
        new Date(T0 - MINUTE),
      );

      // The evaluation goes on, from what is stored.
      const during = await services.evaluation.evaluateAll();
      expect(during).toMatchObject({ evaluated: 1, failed: 0, fired: 0 });
      const lastMinute = now - MINUTE;
      const live = await status(lastMinute);
      expect(live.sli).toBe(1); // the stored day, all good
      expect(live.burnRates['5m'].noTraffic).toBe(true);
      expect(live.burnRates['1h'].noTraffic).toBe(true);
      expect(live.burnRates['1d'].noTraffic).toBe(false);
      expect(live.firing).toEqual([]);
      // A minute in the gap whose hour is wholly in the gap.
      const inGap = T0 + 60 * MINUTE;
      const before = await status(inGap);
      expect(before.burnRates['1h']).toMatchObject({ noTraffic: true });
      expect(before.firing).toEqual([]);

      // /series: 0 before the gap, null (not 0) inside it.
      const gapSeries = await series(T0 - 30 * MINUTE, lastMinute);
      const point = (points: typeof gapSeries, at: number) =>
        points.find(p => p.at === new Date(at).toISOString())!;
      expect(point(gapSeries, T0 - 10 * MINUTE).burnRates['5m']).toBe(0);
      for (let at = T0 + 4 * MINUTE; at <= lastMinute; at += MINUTE) {
        expect({ at, rate: point(gapSeries, at).burnRates['5m'] }).toEqual({
          at,
          rate: null,
        });
      }
      expect(point(gapSeries, inGap).burnRates['1h']).toBeNull();
      expect(Number((await knex('slo_alerts').count({ n: '*' }))[0].n)).toBe(0);

      // 3. Prometheus answers again: exactly the missed minutes are read.
      prometheus.mode = 'up';
      const recovered = await source.syncAll(
        [(await objective()).objective],
        new Date(now),
      );
      expect(recovered).toEqual([
        {
          objectiveRef: REF,
          stored: OUTAGE_MINUTES,
          firstMinute: new Date(T0).toISOString(),
          lastMinute: new Date(lastMinute).toISOString(),
        },
      ]);
      expect(prometheus.ranges.map(r => [r.start, r.end])).toEqual([
        [T0 + MINUTE, now],
        [T0 + MINUTE, now],
      ]);
      const minutes = await services.samples.readRange(
        REF,
        new Date(T0),
        new Date(lastMinute),
      );
      expect(minutes).toHaveLength(OUTAGE_MINUTES);
      expect(
        new Set(minutes.map(m => `${m.good}/${m.total}/${m.source}`)),
      ).toEqual(new Set(['980/1000/prometheus']));

      // The past minute in the former gap now burns 20x and fires the 1h page.
      const after = await status(inGap);
      expect(after.burnRates['1h'].noTraffic).toBe(false);
      expect(after.burnRates['1h'].burnRate).toBeCloseTo(20, 6);
      expect(after.firing).toContain('page-1h');
      const filled = await series(T0 - 30 * MINUTE, lastMinute);
      expect(point(filled, inGap).burnRates['1h']).toBeCloseTo(20, 6);
      expect(filled.every(p => p.burnRates['5m'] !== null)).toBe(true);

      const evaluated = await services.evaluation.evaluateAll();
      expect(evaluated).toMatchObject({ evaluated: 1, failed: 0 });
      expect(evaluated.fired).toBeGreaterThan(0);
      const alerts = await knex('slo_alerts').select('tier');
      expect(alerts.map(a => a.tier)).toContain('page-1h');
    });
  },
);
