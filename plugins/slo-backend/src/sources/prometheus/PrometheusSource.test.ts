import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MemorySampleStore, testObjective } from '../testing';
import { FetchFn, MINUTE_MS } from '../types';
import { PrometheusSource } from './PrometheusSource';
import { evaluateAt } from '../../evaluation/evaluateObjective';
import { SampleService } from '../../samples/SampleService';
import { pushObjectiveYaml, sloServices } from '../../testing/sloTestDatabase';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** The generated series as an OpenSLO objective read from Prometheus. */
const PROMETHEUS_OBJECTIVE = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-from-prometheus
spec:
  service: web
  indicator:
    metadata:
      name: web-non-5xx
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: 'sum(rate(http_requests_total{code="200"}[{{window}}]))'
        total:
          metricSource:
            type: Prometheus
            spec:
              query: 'sum(rate(http_requests_total[{{window}}]))'
  timeWindow:
    - duration: 1d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
`;

jest.setTimeout(60_000);

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const available = existsSync(PROMETHEUS) && existsSync(PROMTOOL);
const inCi = process.env.CI === 'true';
// On a developer machine without Prometheus the file is skipped; in CI it fails.
const describeWithPrometheus = available || inCi ? describe : describe.skip;

/**
 * The generated series: one sample a minute from START for SERIES_MINUTES,
 * ending about an hour before the test runs (backfilled blocks of the past,
 * nothing in the head block). Minute i holds OK(i) 200s and ERR(i) 500s;
 * minutes 100-104 have no requests; the sample at minute MISSING is not
 * written, so the minutes MISSING-1 and MISSING have no point (a gap).
 */
const SERIES_MINUTES = 180;
const MISSING = 150;
const NOW_MINUTE = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
const START = NOW_MINUTE - (SERIES_MINUTES + 60) * MINUTE_MS;
const quiet = (i: number) => i >= 100 && i <= 104;
const OK = (i: number) => (quiet(i) ? 0 : 40 + ((i * 7) % 13));
const ERR = (i: number) => {
  if (quiet(i) || i % 4 !== 0) return 0;
  return (i % 3) + 1;
};
const minuteAt = (i: number) => START + i * MINUTE_MS;

/** The counts the source must read back: minute bucket i for i in [0, SERIES_MINUTES - 2], without the gap. */
function expected(from: number, to: number): Array<[number, number, number]> {
  const rows: Array<[number, number, number]> = [];
  for (let i = from; i <= to; i++) {
    if (i === MISSING - 1 || i === MISSING) continue;
    rows.push([minuteAt(i), OK(i), OK(i) + ERR(i)]);
  }
  return rows;
}

function openMetrics(): string {
  const lines = ['# TYPE http_requests counter'];
  let ok = 0;
  let err = 0;
  const samples: string[][] = [[], []];
  for (let i = 0; i < SERIES_MINUTES; i++) {
    // The sample at minute i counts the requests of the minutes before it.
    if (i !== MISSING) {
      const seconds = minuteAt(i) / 1000;
      samples[0].push(`http_requests_total{code="200"} ${ok} ${seconds}`);
      samples[1].push(`http_requests_total{code="500"} ${err} ${seconds}`);
    }
    ok += OK(i);
    err += ERR(i);
  }
  lines.push(...samples[0], ...samples[1], '# EOF');
  return `${lines.join('\n')}\n`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const good = testObjective('web-good', {
  type: 'prometheus',
  good: 'sum(rate(http_requests_total{code!~"5.."}[{{window}}]))',
  total: 'sum(rate(http_requests_total[{{window}}]))',
});
const bad = testObjective('web-bad', {
  type: 'prometheus',
  bad: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))',
  total: 'sum(rate(http_requests_total[{{window}}]))',
});

describeWithPrometheus('PrometheusSource against a real Prometheus', () => {
  let dir: string;
  let port: number;
  let baseUrl: string;
  let prometheus: ChildProcess | undefined;
  let output = '';

  async function startPrometheus() {
    output = '';
    const child = spawn(
      PROMETHEUS,
      [
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=100y',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', d => (output += d));
    child.stderr?.on('data', d => (output += d));
    prometheus = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(`${baseUrl}/-/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`Prometheus did not become ready:\n${output.slice(-2000)}`);
  }

  async function stopPrometheus() {
    const child = prometheus;
    prometheus = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>(resolve => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  beforeAll(async () => {
    if (!available) {
      throw new Error(
        `Prometheus is required for these tests (CI=true, they do not skip): ` +
          `${PROMETHEUS} or ${PROMTOOL} is missing; install the prometheus package ` +
          `or set PROMETHEUS_BIN and PROMTOOL_BIN`,
      );
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'slo-prometheus-'));
    await writeFile(path.join(dir, 'series.om'), openMetrics());
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      'global:\n  scrape_interval: 1m\nscrape_configs: []\n',
    );
    await promisify(execFile)(PROMTOOL, [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      path.join(dir, 'series.om'),
      path.join(dir, 'data'),
    ]);
    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    await startPrometheus();
  });

  afterAll(async () => {
    await stopPrometheus();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function setup(
    options: { minutesPerQuery?: number; timeoutMs?: number } = {},
  ) {
    const store = new MemorySampleStore();
    const requests: URL[] = [];
    const countingFetch: FetchFn = (url, init) => {
      requests.push(new URL(url));
      return fetch(url, init);
    };
    const logger = mockServices.logger.mock();
    const source = new PrometheusSource({
      store,
      logger,
      baseUrl,
      fetch: countingFetch,
      backfillMinutes: SERIES_MINUTES + 60,
      timeoutMs: options.timeoutMs ?? 5_000,
      minutesPerQuery: options.minutesPerQuery,
    });
    return { store, requests, source, logger };
  }

  it('reads the per-minute counts that generated the series, ratio good/total and bad/total', async () => {
    const { store, requests, source } = setup({ minutesPerQuery: 100 });
    const now = new Date(minuteAt(SERIES_MINUTES + 10) + 25_000);
    const summaries = await source.syncAll([good, bad], now);

    const want = expected(0, SERIES_MINUTES - 2);
    expect(store.all('web-good')).toEqual(want);
    expect(store.all('web-bad')).toEqual(want);
    expect(summaries).toEqual([
      {
        objectiveRef: 'web-good',
        stored: want.length,
        firstMinute: new Date(minuteAt(0)).toISOString(),
        lastMinute: new Date(minuteAt(SERIES_MINUTES - 2)).toISOString(),
      },
      expect.objectContaining({ objectiveRef: 'web-bad', stored: want.length }),
    ]);
    // Quiet minutes are 0/0, not gaps.
    expect(store.all('web-good')).toContainEqual([minuteAt(102), 0, 0]);
    // 250 minutes (backfill) in chunks of 100: three chunks of two queries each.
    expect(requests).toHaveLength(2 * 3 * 2);
    for (const url of requests) {
      expect(url.pathname).toBe('/api/v1/query_range');
      expect(url.searchParams.get('step')).toBe('60s');
      expect(url.searchParams.get('query')).toContain('[1m]');
      const points =
        (Number(url.searchParams.get('end')) -
          Number(url.searchParams.get('start'))) /
          60 +
        1;
      expect(points).toBeLessThanOrEqual(100);
    }
    // The last whole minute before now is minute SERIES_MINUTES + 9, read at its end.
    expect(Number(requests[requests.length - 1].searchParams.get('end'))).toBe(
      minuteAt(SERIES_MINUTES + 10) / 1000,
    );
  });

  it('gives the engine the burn rates that pushing the same series gives', async () => {
    const knex = await databases.init('SQLITE_3');
    const now = new Date(minuteAt(SERIES_MINUTES + 10) + 25_000);
    const s = await sloServices(knex, {
      files: [
        { file: 'prometheus.yaml', text: PROMETHEUS_OBJECTIVE },
        {
          file: 'pushed.yaml',
          text: pushObjectiveYaml('web-pushed', { target: 0.99, window: '1d' }),
        },
      ],
      now: () => now,
      logger: mockServices.logger.mock(),
    });
    expect(s.discovered.problems).toEqual([]);
    const [fromPrometheus, pushed] = ['web-from-prometheus', 'web-pushed'].map(
      id => s.discovered.objectives.find(o => o.objective.id === id)!,
    );
    const source = new PrometheusSource({
      store: s.samples,
      logger: mockServices.logger.mock(),
      baseUrl,
      backfillMinutes: SERIES_MINUTES + 60,
    });
    const [summary] = await source.syncAll([fromPrometheus.objective], now);
    expect(summary.error).toBeUndefined();
    await new SampleService({
      store: s.samples,
      objectiveExists: async () => true,
    }).push(
      'web-pushed',
      expected(0, SERIES_MINUTES - 2).map(([minute, ok, total]) => ({
        minute: new Date(minute),
        good: ok,
        total,
      })),
    );

    for (const i of [20, 60, 99, 102, 130, 149, 151, SERIES_MINUTES - 2]) {
      const a = await evaluateAt(knex, fromPrometheus, minuteAt(i));
      const b = await evaluateAt(knex, pushed, minuteAt(i));
      expect({
        i,
        burnRates: a.burnRates,
        sli: a.sli,
        firing: a.firing,
      }).toEqual({ i, burnRates: b.burnRates, sli: b.sli, firing: b.firing });
    }
  });

  it('reads only the minutes after the latest stored one', async () => {
    const { store, requests, source } = setup();
    const first = new Date(minuteAt(60) + 5_000);
    await source.syncObjective(good, first);
    expect(await store.latestMinute('web-good')).toEqual(
      new Date(minuteAt(59)),
    );
    requests.length = 0;

    const summary = await source.syncObjective(
      good,
      new Date(minuteAt(90) + 59_000),
    );
    expect(summary).toEqual({
      objectiveRef: 'web-good',
      stored: 30,
      firstMinute: new Date(minuteAt(60)).toISOString(),
      lastMinute: new Date(minuteAt(89)).toISOString(),
    });
    expect(requests).toHaveLength(2);
    for (const url of requests) {
      // Minute 60 is read from the point at its end.
      expect(Number(url.searchParams.get('start'))).toBe(minuteAt(61) / 1000);
      expect(Number(url.searchParams.get('end'))).toBe(minuteAt(90) / 1000);
    }
    expect(store.all('web-good')).toEqual(expected(0, 89));

    // Nothing new in the same minute: no request at all.
    requests.length = 0;
    expect(
      await source.syncObjective(good, new Date(minuteAt(90) + 59_999)),
    ).toEqual({ objectiveRef: 'web-good', stored: 0 });
    expect(requests).toHaveLength(0);
  });

  it('reads the minutes missed while Prometheus was down once it is back', async () => {
    const { store, source, logger } = setup();
    await source.syncObjective(good, new Date(minuteAt(40)));
    expect(await store.latestMinute('web-good')).toEqual(
      new Date(minuteAt(39)),
    );

    await stopPrometheus();
    try {
      const down = await source.syncAll([good], new Date(minuteAt(70)));
      expect(down).toEqual([
        {
          objectiveRef: 'web-good',
          stored: 0,
          error: expect.stringMatching(/^Prometheus at .* did not answer/),
        },
      ]);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('web-good'),
      );
      expect(await store.latestMinute('web-good')).toEqual(
        new Date(minuteAt(39)),
      );
    } finally {
      await startPrometheus();
    }

    const back = await source.syncObjective(good, new Date(minuteAt(70)));
    expect(back.stored).toBe(30);
    expect(store.all('web-good')).toEqual(expected(0, 69));
  });

  it('reports a query Prometheus refuses and goes on with the other objectives', async () => {
    const { store, source } = setup();
    const broken = testObjective('broken', {
      type: 'prometheus',
      good: 'sum(rate(http_requests_total{code!~"5.."}[{{window}}])',
      total: 'sum(rate(http_requests_total[{{window}}]))',
    });
    const threshold = testObjective('latency', {
      type: 'prometheus',
      query: 'histogram_quantile(0.99, rate(x_bucket[{{window}}]))',
    });
    const summaries = await source.syncAll(
      [broken, threshold, testObjective('pushed', 'push'), good],
      new Date(minuteAt(20)),
    );
    expect(summaries).toEqual([
      {
        objectiveRef: 'broken',
        stored: 0,
        error: expect.stringMatching(
          /^Prometheus answered HTTP 400, bad_data: /,
        ),
      },
      {
        objectiveRef: 'latency',
        stored: 0,
        error: expect.stringContaining('threshold SLIs'),
      },
      expect.objectContaining({ objectiveRef: 'web-good', stored: 20 }),
    ]);
    expect(store.all('broken')).toEqual([]);
  });

  it('stores nothing when Prometheus does not answer in time or answers 5xx', async () => {
    const held: http.ServerResponse[] = [];
    let mode: 'hang' | '503' = 'hang';
    const double = http.createServer((_req, res) => {
      if (mode === 'hang') {
        held.push(res);
        return;
      }
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'unavailable',
          error: 'too many queries',
        }),
      );
    });
    await new Promise<void>(r => double.listen(0, '127.0.0.1', () => r()));
    try {
      const { port: doublePort } = double.address() as AddressInfo;
      const store = new MemorySampleStore();
      const source = new PrometheusSource({
        store,
        logger: mockServices.logger.mock(),
        baseUrl: `http://127.0.0.1:${doublePort}`,
        timeoutMs: 300,
      });
      const started = Date.now();
      const [hung] = await source.syncAll([good], new Date(minuteAt(20)));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(hung).toEqual({
        objectiveRef: 'web-good',
        stored: 0,
        error: expect.stringContaining('timed out'),
      });

      mode = '503';
      const [unavailable] = await source.syncAll(
        [good],
        new Date(minuteAt(20)),
      );
      expect(unavailable.error).toBe(
        'Prometheus answered HTTP 503, unavailable: too many queries',
      );
      expect(store.all('web-good')).toEqual([]);
    } finally {
      held.forEach(res => res.destroy());
      double.closeAllConnections();
      await new Promise(r => double.close(r));
    }
  });
});
