import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { registerMswTestHooks } from '@backstage/test-utils';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { SloClient } from './api';

const BASE = 'http://backend.test/api/slo';
const ID = 'checkout:availability:region=eu,tier=gold';
const ENCODED = encodeURIComponent(ID);

const server = setupServer();
registerMswTestHooks(server);

function client() {
  const discoveryApi: DiscoveryApi = {
    getBaseUrl: async pluginId => `http://backend.test/api/${pluginId}`,
  };
  const fetchApi: FetchApi = { fetch: (input, init) => fetch(input, init) };
  return new SloClient({ pluginId: 'slo', discoveryApi, fetchApi });
}

const emptyPage = { items: [], totalCount: 0, limit: 25, offset: 0 };

describe('SloClient', () => {
  it('sends the objective filters as query parameters, leaving unset ones out', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE}/objectives`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json(emptyPage);
      }),
    );
    await client().listObjectives({
      limit: 25,
      offset: 50,
      owner: 'group:default/payments',
      state: 'firing',
      q: undefined,
      sort: 'budget',
      order: 'asc',
    });
    expect(Object.fromEntries(url!.searchParams)).toEqual({
      limit: '25',
      offset: '50',
      owner: 'group:default/payments',
      state: 'firing',
      sort: 'budget',
      order: 'asc',
    });
  });

  it('URL-encodes objective ids and asks for the series with from, to and step', async () => {
    const paths: string[] = [];
    let series: URLSearchParams | undefined;
    server.use(
      http.get(`${BASE}/objectives/:ref`, ({ request }) => {
        paths.push(new URL(request.url).pathname);
        return HttpResponse.json({ id: ID });
      }),
      http.get(`${BASE}/objectives/:ref/series`, ({ request, params }) => {
        series = new URL(request.url).searchParams;
        expect(params.ref).toBe(ID);
        return HttpResponse.json({ points: [] });
      }),
    );
    await expect(client().getObjective(ID)).resolves.toEqual({ id: ID });
    expect(paths).toEqual([`/api/slo/objectives/${ENCODED}`]);
    await client().getSeries(ID, {
      from: '2025-03-01T00:00:00.000Z',
      to: '2025-03-02T00:00:00.000Z',
      step: 15,
    });
    expect(series?.get('step')).toBe('15');
    expect(series?.get('from')).toBe('2025-03-01T00:00:00.000Z');
  });

  it('reads the rules and the source as text', async () => {
    server.use(
      http.get(`${BASE}/objectives/:ref/rules`, ({ request }) =>
        HttpResponse.text(
          `format: ${new URL(request.url).searchParams.get('format')}\n`,
        ),
      ),
      http.get(`${BASE}/objectives/:ref/source`, () =>
        HttpResponse.text('apiVersion: openslo/v1\n'),
      ),
    );
    await expect(client().getRules(ID, 'prometheusrule')).resolves.toBe(
      'format: prometheusrule\n',
    );
    await expect(client().getSource(ID)).resolves.toBe(
      'apiVersion: openslo/v1\n',
    );
  });

  it("throws the backend's 409 when a push-fed objective has no rules", async () => {
    server.use(
      http.get(`${BASE}/objectives/:ref/rules`, () =>
        HttpResponse.json(
          // The body of the backend's errorHandler.
          {
            error: { name: 'ConflictError', message: 'push-fed: no rules' },
            request: { method: 'GET', url: '/api/slo/objectives/x/rules' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    await expect(client().getRules(ID, 'rules')).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 409,
      body: { error: { message: 'push-fed: no rules' } },
    });
  });

  it('posts acknowledge and silence bodies as JSON', async () => {
    const bodies: Array<{ path: string; body: unknown }> = [];
    server.use(
      http.post(`${BASE}/alerts/:id/:action`, async ({ request }) => {
        bodies.push({
          path: new URL(request.url).pathname,
          body: await request.json(),
        });
        return HttpResponse.json({ id: 'a-1' });
      }),
    );
    await client().acknowledgeAlert('a-1', { reason: 'on it' });
    await client().silenceAlert('a-1', {
      reason: 'deploy',
      until: '2025-03-01T13:00:00.000Z',
    });
    expect(bodies).toEqual([
      { path: '/api/slo/alerts/a-1/acknowledge', body: { reason: 'on it' } },
      {
        path: '/api/slo/alerts/a-1/silence',
        body: { reason: 'deploy', until: '2025-03-01T13:00:00.000Z' },
      },
    ]);
  });

  it('pages alerts, problems and the demo sink', async () => {
    const seen: string[] = [];
    const handler = ({ request }: { request: Request }) => {
      const url = new URL(request.url);
      seen.push(`${url.pathname}${url.search}`);
      return HttpResponse.json(emptyPage);
    };
    server.use(
      http.get(`${BASE}/alerts`, handler),
      http.get(`${BASE}/problems`, handler),
      http.get(`${BASE}/demo-sink`, handler),
    );
    await client().listAlerts({
      limit: 10,
      offset: 0,
      objectiveRef: ID,
      state: 'firing',
    });
    await client().listProblems({ limit: 50, offset: 0 });
    await client().listDemoSink({ limit: 25, offset: 25 });
    expect(seen).toEqual([
      `/api/slo/alerts?limit=10&offset=0&objectiveRef=${ENCODED}&state=firing`,
      '/api/slo/problems?limit=50&offset=0',
      '/api/slo/demo-sink?limit=25&offset=25',
    ]);
  });
});
