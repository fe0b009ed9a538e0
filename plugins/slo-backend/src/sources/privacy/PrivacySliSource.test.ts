import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type {
  EventsService,
  EventsServiceSubscribeOptions,
} from '@backstage/plugin-events-node';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KnexSampleStore } from '../../samples';
import { testObjective } from '../testing';
import { FetchFn, MINUTE_MS } from '../types';
import { PrivacySliSource, privacyObjectiveRef } from './PrivacySliSource';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const WINDOW = 5 * MINUTE_MS;
const NOW = Date.parse('2026-12-02T12:00:00Z');
const TYPES = ['export', 'delete'];
const REGIONS = ['EU', 'US', 'UK', 'APAC'];
const ref = (region: string, type: string) =>
  `privacy-sla:region=${region},type=${type}`;
/** The objectives that exist (no UK or APAC ones), in the order backfill visits them. */
const REFS = TYPES.flatMap(type =>
  ['EU', 'US'].map(region => ref(region, type)),
);

interface Decision {
  at: number;
  type: string;
  region: string;
  good: boolean;
}

/** Requests decided in the three hours before NOW, a few a minute, some late. */
const DECISIONS: Decision[] = [];
for (let i = 0; i < 180; i++) {
  const minute = NOW - (180 - i) * MINUTE_MS;
  DECISIONS.push(
    { at: minute + 7_000, type: 'export', region: 'EU', good: i % 9 !== 0 },
    { at: minute + 31_000, type: 'delete', region: 'EU', good: true },
    { at: minute + 59_999, type: 'export', region: 'US', good: i % 4 !== 0 },
  );
  if (i % 3 === 0) {
    DECISIONS.push({ at: minute, type: 'export', region: 'EU', good: false });
  }
}

/** Counts of decisions in [start, end) of one series. */
function countsIn(
  series: { type: string; region?: string },
  start: number,
  end: number,
) {
  const hits = DECISIONS.filter(
    d =>
      d.at >= start &&
      d.at < end &&
      d.type === series.type &&
      (!series.region || d.region === series.region),
  );
  return { good: hits.filter(d => d.good).length, total: hits.length };
}

/**
 * A double of the privacy backend's `GET /metrics/sli`: the same query
 * validation (type, optional region, windowMinutes 1..90 days, nothing
 * else) and the same answer (`SliReading`) over [now − windowMinutes, now).
 */
class PrivacyDouble {
  now = NOW;
  down = false;
  readonly requests: URL[] = [];
  readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', () => r()));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/privacy`;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise(r => this.server.close(r));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://double');
    this.requests.push(url);
    if (this.down) {
      reply(503, { error: { name: 'Error', message: 'unavailable' } });
      return;
    }
    if (req.headers.authorization !== 'Bearer service-token') {
      reply(401, { error: { name: 'AuthenticationError', message: 'no' } });
      return;
    }
    if (url.pathname !== '/api/privacy/metrics/sli') {
      reply(404, { error: { name: 'NotFoundError', message: url.pathname } });
      return;
    }
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    const windowMinutes = Number(query.windowMinutes);
    if (
      Object.keys(query).some(
        k => !['type', 'region', 'windowMinutes'].includes(k),
      ) ||
      !TYPES.includes(query.type) ||
      (query.region !== undefined && !REGIONS.includes(query.region)) ||
      !Number.isInteger(windowMinutes) ||
      windowMinutes < 1 ||
      windowMinutes > 90 * 24 * 60
    ) {
      reply(400, { error: { name: 'InputError', message: 'bad query' } });
      return;
    }
    const start = this.now - windowMinutes * MINUTE_MS;
    reply(200, {
      type: query.type,
      ...(query.region !== undefined && { region: query.region }),
      windowMinutes,
      windowStart: new Date(start).toISOString(),
      windowEnd: new Date(this.now).toISOString(),
      ...countsIn({ type: query.type, region: query.region }, start, this.now),
    });
  }
}

/** The sample the privacy publisher would send for one window. */
function sample(type: string, region: string, start: number) {
  return {
    source: 'privacy',
    sli: 'dsar_completed_within_sla',
    type,
    region,
    ...countsIn({ type, region }, start, start + WINDOW),
    objective: 0.95,
    windowStart: new Date(start).toISOString(),
    windowEnd: new Date(start + WINDOW).toISOString(),
  };
}

/** The minutes a window's counts are stored as: all in its last minute. */
function windowRows(type: string, region: string, start: number) {
  const counts = countsIn({ type, region }, start, start + WINDOW);
  return [0, 1, 2, 3, 4].map(i => ({
    minute: new Date(start + i * MINUTE_MS).toISOString(),
    good: i === 4 ? counts.good : 0,
    total: i === 4 ? counts.total : 0,
    source: 'privacy',
  }));
}

describe('privacyObjectiveRef', () => {
  it('forms the ids of the OpenSLO fan-out, labels in annotation order', () => {
    expect(
      privacyObjectiveRef(
        { baseId: 'privacy-sla' },
        {
          type: 'export',
          region: 'EU',
        },
      ),
    ).toBe('privacy-sla:region=EU,type=export');
    expect(
      privacyObjectiveRef(
        {
          baseId: 'dsar#1',
          labels: [
            { label: 'kind', field: 'type' },
            { label: 'zone', field: 'region' },
          ],
        },
        { type: 'delete', region: 'US' },
      ),
    ).toBe('dsar#1:kind=delete,zone=US');
  });
});

describe.each(databases.eachSupportedId())('PrivacySliSource on %p', id => {
  let double: PrivacyDouble;
  let baseUrl: string;

  beforeEach(async () => {
    double = new PrivacyDouble();
    baseUrl = await double.start();
  });
  afterEach(() => double.stop());

  async function setup(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({
      directory: resolvePackagePath(
        '@internal/plugin-slo-backend',
        'migrations',
      ),
    });
    const store = new KnexSampleStore(knex);
    const logger = mockServices.logger.mock();
    const source = new PrivacySliSource({
      store,
      logger,
      objectiveExists: async r => REFS.includes(r),
      objective: { baseId: 'privacy-sla' },
      types: TYPES,
      regions: REGIONS,
      getBaseUrl: async () => baseUrl,
      getToken: async () => 'service-token',
      fetch: ((url, init) => fetch(url, init)) as FetchFn,
      timeoutMs: 2_000,
      backfillMinutes: 60,
      recheckMinutes: 60,
    });
    return { store, logger, source };
  }

  it('stores ops.sli events as minutes of their window, counts in the last minute', async () => {
    const { store, source } = await setup(id);
    const subscriptions: EventsServiceSubscribeOptions[] = [];
    const events: EventsService = {
      publish: jest.fn(),
      subscribe: async options => {
        subscriptions.push(options);
      },
    };
    await source.subscribe(events);
    expect(subscriptions).toEqual([
      expect.objectContaining({ topics: ['ops.sli'] }),
    ]);
    const deliver = (eventPayload: unknown) =>
      subscriptions[0].onEvent({ topic: 'ops.sli', eventPayload });

    const start = NOW - 3 * WINDOW;
    await deliver(sample('export', 'EU', start));
    await deliver(sample('export', 'EU', start + WINDOW));
    // Delivered twice: replaces itself.
    await deliver(sample('export', 'EU', start + WINDOW));
    await deliver(sample('export', 'UK', start)); // no such objective

    const rows = await store.readRange(
      ref('EU', 'export'),
      new Date(start - MINUTE_MS),
      new Date(NOW),
    );
    expect(rows).toEqual([
      ...windowRows('export', 'EU', start),
      ...windowRows('export', 'EU', start + WINDOW),
    ]);
    expect(rows[4].total).toBeGreaterThan(0);
    expect(await store.latestMinute(ref('UK', 'export'))).toBeUndefined();
  });

  it('ignores invalid samples and other SLIs, logging field paths only', async () => {
    const { store, logger, source } = await setup(id);
    const valid = sample('delete', 'US', NOW - WINDOW);
    expect(await source.handleSliEvent(valid)).toBe('stored');
    expect(
      await source.handleSliEvent({ ...valid, good: valid.total + 1 }),
    ).toBe('invalid');
    expect(
      await source.handleSliEvent({
        ...valid,
        windowStart: '2026-12-02T11:55:30Z',
      }),
    ).toBe('invalid');
    expect(
      await source.handleSliEvent({ ...valid, windowEnd: valid.windowStart }),
    ).toBe('invalid');
    expect(await source.handleSliEvent({ ...valid, region: undefined })).toBe(
      'invalid',
    );
    expect(await source.handleSliEvent({ ...valid, good: -1 })).toBe('invalid');
    expect(await source.handleSliEvent('garbage')).toBe('invalid');
    expect(await source.handleSliEvent({ ...valid, source: 'billing' })).toBe(
      'ignored',
    );
    expect(
      await source.handleSliEvent({ ...valid, sli: 'queue_latency' }),
    ).toBe('ignored');
    expect(await source.handleSliEvent(sample('delete', 'UK', NOW))).toBe(
      'no-objective',
    );

    expect(logger.warn).toHaveBeenCalledTimes(6);
    expect(logger.warn).toHaveBeenCalledWith(
      'Ignoring an invalid privacy SLI sample: good: must not exceed total',
    );
    expect(logger.warn).toHaveBeenCalledWith(
      'Ignoring an invalid privacy SLI sample: windowStart: must be a whole minute',
    );
    expect(
      await store.readRange(
        ref('US', 'delete'),
        new Date(NOW - WINDOW),
        new Date(NOW),
      ),
    ).toEqual(windowRows('delete', 'US', NOW - WINDOW));
  });

  it('at start reads back every window of the backfill range from GET /metrics/sli', async () => {
    const { store, source } = await setup(id);
    const summaries = await source.backfill(new Date(NOW));
    // The objectives that exist, each with 12 windows read with 12 requests
    // (the reading since NOW is empty: no request).
    expect(summaries).toEqual(
      REFS.map(r => ({
        objectiveRef: r,
        stored: 60,
        firstMinute: new Date(NOW - 60 * MINUTE_MS).toISOString(),
        lastMinute: new Date(NOW - MINUTE_MS).toISOString(),
      })),
    );
    expect(double.requests).toHaveLength(4 * 12);
    expect(
      double.requests.filter(u => u.searchParams.get('region') === 'UK'),
    ).toEqual([]);
    for (const [region, type] of [
      ['EU', 'export'],
      ['EU', 'delete'],
      ['US', 'export'],
      ['US', 'delete'],
    ]) {
      const want = Array.from({ length: 12 }, (_, w) =>
        windowRows(type, region, NOW - 60 * MINUTE_MS + w * WINDOW),
      ).flat();
      expect(
        await store.readRange(
          ref(region, type),
          new Date(NOW - 2 * 60 * MINUTE_MS),
          new Date(NOW),
        ),
      ).toEqual(want);
    }
    // The windows read back sum to what the events would have carried.
    const rows = await store.readRange(
      ref('EU', 'export'),
      new Date(NOW - 60 * MINUTE_MS),
      new Date(NOW),
    );
    expect(rows.reduce((n, r) => n + r.total, 0)).toBe(
      countsIn({ type: 'export', region: 'EU' }, NOW - 60 * MINUTE_MS, NOW)
        .total,
    );
  });

  it('after a gap of more than two windows reads back only the missing windows', async () => {
    const { store, source } = await setup(id);
    const objectives = [
      ...REFS.map(r => {
        const [, labels] = r.split(':');
        const [region, type] = labels.split(',').map(kv => kv.split('=')[1]);
        return testObjective(r, 'push', { region, type });
      }),
      testObjective('checkout-availability', 'push'),
    ];
    // Start, one hour before NOW.
    const t0 = NOW - 60 * MINUTE_MS;
    double.now = t0;
    await source.syncAll(objectives, new Date(t0));
    // Then events for 30 minutes, but one of them lost (t0 + 10m).
    for (let start = t0; start < t0 + 30 * MINUTE_MS; start += WINDOW) {
      if (start === t0 + 10 * MINUTE_MS) continue;
      for (const r of REFS) {
        const [region, type] = [
          r.includes('EU') ? 'EU' : 'US',
          r.split('type=')[1],
        ];
        await source.handleSliEvent(sample(type, region, start));
      }
    }
    // No event for the 30 minutes after.
    double.requests.length = 0;
    double.now = NOW;
    const summaries = await source.syncAll(objectives, new Date(NOW));

    // Read back: the lost window and the windows t0+30m .. NOW-10m; the
    // two newest windows may still come as events.
    expect(summaries.map(s => s.objectiveRef)).toEqual(REFS);
    expect(summaries.map(s => s.stored)).toEqual(REFS.map(() => 5 + 4 * 5));
    // One lost window: 2 requests; four adjacent windows: 5 requests.
    expect(double.requests).toHaveLength(REFS.length * (2 + 5));
    const rows = await store.readRange(
      ref('EU', 'export'),
      new Date(t0),
      new Date(NOW),
    );
    expect(rows).toEqual(
      Array.from({ length: 10 }, (_, w) =>
        windowRows('export', 'EU', t0 + w * WINDOW),
      ).flat(),
    );
  });

  it('stores nothing while the privacy backend fails, and reads it back later', async () => {
    const { store, logger, source } = await setup(id);
    double.down = true;
    const failed = await source.backfill(new Date(NOW));
    expect(failed).toEqual(
      REFS.map(r => ({
        objectiveRef: r,
        stored: 0,
        error: 'privacy backend answered HTTP 503 to GET /metrics/sli',
      })),
    );
    expect(logger.warn).toHaveBeenCalledTimes(4);
    expect(await store.latestMinute(REFS[0])).toBeUndefined();

    double.down = false;
    const later = await source.backfill(new Date(NOW));
    expect(later.map(s => s.stored)).toEqual(REFS.map(() => 60));
    expect(later.every(s => s.error === undefined)).toBe(true);
  });
});
