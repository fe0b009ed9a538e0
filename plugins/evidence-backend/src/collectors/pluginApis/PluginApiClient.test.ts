import { mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { z } from 'zod';
import { PluginApiClient, PluginApiError, createMonitoringCollector } from '.';
import { testContext } from './__testUtils__/siblings';

const NOW = new Date('2026-12-03T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Serves `routes` (path → full list, or a raw answer) as ops pages, recording queries. */
async function startServer(
  routes: Record<string, unknown[] | { status: number; body: string }>,
) {
  const seen: URL[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    seen.push(url);
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    if (!Array.isArray(route)) {
      res.writeHead(route.status, { 'Content-Type': 'application/json' });
      res.end(route.body);
      return;
    }
    const state = url.searchParams.get('state');
    const list = state
      ? route.filter(i => (i as { state?: string }).state === state)
      : route;
    const limit = Number(url.searchParams.get('limit'));
    const offset = Number(url.searchParams.get('offset'));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        items: list.slice(offset, offset + limit),
        totalCount: list.length,
        limit,
        offset,
      }),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    deps: {
      auth: mockServices.auth(),
      discovery: mockServices.discovery.mock({
        getBaseUrl: async (id: string) => `http://127.0.0.1:${port}/api/${id}`,
      }),
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

let server: Awaited<ReturnType<typeof startServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('PluginApiClient', () => {
  it('reads every page until the total, and stops early when told', async () => {
    server = await startServer({
      '/api/x/things': Array.from({ length: 7 }, (_, i) => ({ n: i })),
    });
    const client = new PluginApiClient(server.deps, 'x');
    const item = z.object({ n: z.number() });
    expect(
      (await client.getAll('/things', item, { pageSize: 3 })).map(i => i.n),
    ).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(server.seen.map(u => u.searchParams.get('offset'))).toEqual([
      '0',
      '3',
      '6',
    ]);
    expect(
      (
        await client.getAll('/things', item, {
          pageSize: 3,
          until: i => i.n === 4,
        })
      ).map(i => i.n),
    ).toEqual([0, 1, 2, 3]);
  });

  it('says which plugin answered something that is not JSON', async () => {
    server = await startServer({
      '/api/x/things': { status: 200, body: '<html>' },
    });
    await expect(
      new PluginApiClient(server.deps, 'x').get('/things', z.unknown()),
    ).rejects.toThrow(
      'The x plugin answered GET /things with a body that is not JSON',
    );
  });

  it('does not repeat a non-JSON error body in its message', async () => {
    server = await startServer({
      '/api/x/things': { status: 502, body: 'subject customer-42 failed' },
    });
    const error = (await new PluginApiClient(server.deps, 'x')
      .get('/things', z.unknown())
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as PluginApiError;
    expect(error).toMatchObject({ status: 502, pluginId: 'x' });
    expect(error.message).toBe(
      'The x plugin answered 502 Bad Gateway to GET /things',
    );
  });
});

describe('monitoring alert window', () => {
  const alert = (
    id: string,
    firedHoursAgo: number,
    resolvedHoursAgo: number | null,
  ) => ({
    id,
    objectiveRef: 'gateway',
    tier: 'page-1h',
    severity: 'page',
    dedupKey: 'gateway:page-1h',
    state: resolvedHoursAgo === null ? 'firing' : 'resolved',
    firedAt: new Date(NOW.getTime() - firedHoursAgo * HOUR).toISOString(),
    resolvedAt:
      resolvedHoursAgo === null
        ? null
        : new Date(NOW.getTime() - resolvedHoursAgo * HOUR).toISOString(),
    acknowledged: null,
    silenced: null,
    links: [],
  });

  it('keeps alerts firing at some time in the week, and reads no further back than the lookback', async () => {
    server = await startServer({
      '/api/slo/objectives': [],
      // Newest first, as the SLO plugin lists them.
      '/api/slo/alerts': [
        alert('in-week', 2, 1),
        alert('resolved-in-week', 9 * 24, 6 * 24),
        alert('resolved-before', 9 * 24, 8 * 24),
        alert('past-lookback-still-firing', 60 * 24, null),
        alert('past-lookback-resolved-in-week', 61 * 24, 1),
      ],
    });
    const collector = createMonitoringCollector({
      ...server.deps,
      pageSize: 1,
      alertLookbackDays: 30,
    });
    const [item] = await collector.collect(testContext(NOW));
    const content = JSON.parse(String(item.content));
    expect(content.alerts.map((a: { id: string }) => a.id)).toEqual([
      'in-week',
      'resolved-in-week',
      'past-lookback-still-firing',
    ]);
    expect(content.period).toEqual({
      start: new Date(NOW.getTime() - 7 * DAY).toISOString(),
      end: NOW.toISOString(),
    });
    // Stopped at the first alert older than the lookback.
    const unfiltered = server.seen.filter(
      u => u.pathname === '/api/slo/alerts' && !u.searchParams.has('state'),
    );
    expect(unfiltered.map(u => u.searchParams.get('offset'))).toEqual([
      '0',
      '1',
      '2',
      '3',
    ]);
  });
});
