import { mockServices } from '@backstage/backend-test-utils';
import type { CollectorContext } from '@internal/plugin-evidence-node';
import { AddressInfo } from 'node:net';
import http from 'node:http';
import { FinishedDrillRun, createIncidentDrillsCollector } from '.';

const NOW = new Date('2026-12-03T12:00:00Z');
const DAY = 86_400_000;

const run = (n: number, finishedDaysAgo: number): FinishedDrillRun => {
  const finishedAt = new Date(NOW.getTime() - finishedDaysAgo * DAY);
  return {
    id: `run-${n}`,
    scenarioId: 'rollback-bad-deploy',
    title: `Roll back a bad deploy #${n}`,
    state: 'finished',
    startedAt: new Date(finishedAt.getTime() - 3_600_000).toISOString(),
    finishedAt: finishedAt.toISOString(),
    lead: 'user:default/dave',
    participants: [
      { entityRef: 'user:default/dave', role: 'lead' },
      { entityRef: 'user:default/erin', role: 'operator' },
    ],
    checkpoints: [
      {
        id: 'detect',
        title: 'Alert acknowledged',
        targetMinutes: 5,
        reachedAt: new Date(finishedAt.getTime() - 3_000_000).toISOString(),
        passed: true,
      },
      {
        id: 'restore',
        title: 'Service restored',
        targetMinutes: 30,
        reachedAt: null,
        passed: false,
      },
    ],
    actionItems: [
      {
        title: 'Automate the rollback check',
        owner: 'group:default/platform',
        dueDate: '2027-01-15',
      },
    ],
    reportUrl: `https://portal.test/drills/runs/run-${n}/report`,
  };
};

/** The drills API of the contract in drills.ts, over `runs`, recording every request. */
async function startDrillsDouble(
  runs: Array<FinishedDrillRun | Record<string, unknown>>,
  options: { status?: number } = {},
) {
  const requests: Array<{ url: URL; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    requests.push({ url, authorization: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (options.status) {
      send(options.status, {
        error: { name: 'Error', message: 'the drills database is down' },
      });
      return;
    }
    if (url.pathname !== '/api/drills/runs') {
      send(404, { error: { name: 'NotFoundError', message: 'no route' } });
      return;
    }
    const q = url.searchParams;
    const limit = Number(q.get('limit') ?? 25);
    const offset = Number(q.get('offset') ?? 0);
    if (!(limit >= 1 && limit <= 100) || !(offset >= 0)) {
      send(400, { error: { name: 'InputError', message: 'bad page' } });
      return;
    }
    const after = q.get('finishedAfter');
    const before = q.get('finishedBefore');
    const matching = runs
      .filter(r => r.state === q.get('state'))
      .filter(
        r => !after || Date.parse(String(r.finishedAt)) >= Date.parse(after),
      )
      .filter(
        r => !before || Date.parse(String(r.finishedAt)) < Date.parse(before),
      )
      .sort(
        (a, b) =>
          Date.parse(String(a.finishedAt)) - Date.parse(String(b.finishedAt)) ||
          String(a.id).localeCompare(String(b.id)),
      );
    send(200, {
      items: matching.slice(offset, offset + limit),
      totalCount: matching.length,
      limit,
      offset,
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    discovery: mockServices.discovery.mock({
      getBaseUrl: async (pluginId: string) =>
        `http://127.0.0.1:${port}/api/${pluginId}`,
    }),
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

function context(previous?: Buffer): CollectorContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: line => lines.push(line),
    signal: new AbortController().signal,
    now: NOW,
    previous: async type =>
      type === 'incident-drill' && previous
        ? { collectedAt: new Date(NOW.getTime() - 10 * DAY), content: previous }
        : undefined,
  };
}

describe('createIncidentDrillsCollector', () => {
  let double: Awaited<ReturnType<typeof startDrillsDouble>> | undefined;
  afterEach(async () => {
    await double?.close();
    double = undefined;
  });
  const collectorFor = (d: NonNullable<typeof double>) =>
    createIncidentDrillsCollector({
      discovery: d.discovery,
      auth: mockServices.auth(),
      pageSize: 2,
    });

  it('files one item per run finished in the period, reading every page with a service token', async () => {
    double = await startDrillsDouble([
      run(1, 80),
      run(2, 40),
      run(3, 20),
      run(4, 10),
      run(5, 1),
      run(6, 100), // before the quarter
      { ...run(7, 5), state: 'running' },
    ]);
    const collector = collectorFor(double);
    expect(collector).toMatchObject({
      id: 'incident-drills',
      points: ['CC7.4', 'CC7.5', 'CC2.2'],
      cadence: 'quarterly',
    });
    const ctx = context();
    const items = await collector.collect(ctx);

    expect(items.map(i => i.fileName)).toEqual([
      'incident-drill-run-1.json',
      'incident-drill-run-2.json',
      'incident-drill-run-3.json',
      'incident-drill-run-4.json',
      'incident-drill-run-5.json',
    ]);
    const expected = run(3, 20);
    expect(items[2]).toEqual({
      type: 'incident-drill',
      title: `Drill: Roll back a bad deploy #3 (${expected.finishedAt.slice(
        0,
        10,
      )})`,
      points: ['CC7.4', 'CC7.5', 'CC2.2'],
      period: {
        start: new Date(expected.startedAt),
        end: new Date(expected.finishedAt),
      },
      fileName: 'incident-drill-run-3.json',
      mediaType: 'application/json',
      content: `${JSON.stringify({ run: expected }, null, 2)}\n`,
      summary: {
        scenarioId: 'rollback-bad-deploy',
        participants: 2,
        checkpoints: 2,
        checkpointsPassed: 1,
        actionItems: 1,
      },
    });
    expect(
      double.requests.map(r => [
        r.url.searchParams.get('offset'),
        r.url.searchParams.get('limit'),
        r.url.searchParams.get('state'),
        r.url.searchParams.get('finishedAfter'),
        r.url.searchParams.get('finishedBefore'),
      ]),
    ).toEqual(
      ['0', '2', '4'].map(offset => [
        offset,
        '2',
        'finished',
        new Date(NOW.getTime() - 92 * DAY).toISOString(),
        NOW.toISOString(),
      ]),
    );
    for (const r of double.requests) {
      expect(r.authorization).toMatch(/^Bearer .*"target":"drills"/);
    }
  });

  it('files nothing and says so when no drill finished', async () => {
    double = await startDrillsDouble([run(1, 200)]);
    const ctx = context();
    expect(await collectorFor(double).collect(ctx)).toEqual([]);
    expect(ctx.lines).toEqual([
      `No drill run finished between ${new Date(
        NOW.getTime() - 92 * DAY,
      ).toISOString()} and ${NOW.toISOString()}`,
    ]);
  });

  it('starts after the last run filed, without filing it again', async () => {
    const filed = run(2, 40);
    double = await startDrillsDouble([run(1, 80), filed, run(3, 20)]);
    const items = await collectorFor(double).collect(
      context(Buffer.from(JSON.stringify({ run: filed }))),
    );
    expect(items.map(i => i.fileName)).toEqual(['incident-drill-run-3.json']);
    expect(double.requests[0].url.searchParams.get('finishedAfter')).toBe(
      filed.finishedAt,
    );
  });

  it('throws naming the plugin and the status when the drills plugin answers 500', async () => {
    double = await startDrillsDouble([], { status: 500 });
    await expect(collectorFor(double).collect(context())).rejects.toThrow(
      /^The drills plugin answered 500 Internal Server Error to GET \/runs\?.*: the drills database is down$/,
    );
  });

  it('throws naming the field when a run is not what the contract says', async () => {
    double = await startDrillsDouble([{ ...run(1, 3), checkpoints: 'none' }]);
    await expect(collectorFor(double).collect(context())).rejects.toThrow(
      /drills plugin answered GET \/runs.* with an unexpected shape: items\.0\.checkpoints: Expected array/,
    );
  });
});
