import type { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { SecurityClient } from './api';

/** A client over a fake fetch that answers `status` and `body` to every call. */
function setup(status: number, body: unknown) {
  const fetchApi = {
    fetch: jest.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        }),
    ),
  };
  const client = new SecurityClient({
    pluginId: 'security',
    discoveryApi: {
      getBaseUrl: async (pluginId: string) =>
        `http://backend.test/api/${pluginId}`,
    },
    fetchApi: fetchApi as unknown as FetchApi,
  });
  const call = (n = 0) => {
    const [url, init] = fetchApi.fetch.mock.calls[n];
    return { url, method: init?.method, body: init?.body };
  };
  return { client, call };
}

const page = { items: [], totalCount: 0, limit: 25, offset: 50 };

describe('SecurityClient', () => {
  it('lists alerts with the page and only the filters given', async () => {
    const { client, call } = setup(200, page);
    await expect(
      client.listAlerts({ limit: 25, offset: 50, severity: 'high' }),
    ).resolves.toEqual(page);
    expect(call()).toEqual({
      url: 'http://backend.test/api/security/alerts?limit=25&offset=50&severity=high',
      method: 'GET',
      body: undefined,
    });

    await client.listAlerts({
      limit: 10,
      offset: 0,
      status: 'open',
      ruleId: 'brute-force',
    });
    expect(call(1).url).toBe(
      'http://backend.test/api/security/alerts?limit=10&offset=0&status=open&ruleId=brute-force',
    );
  });

  it('reads one alert by its encoded id', async () => {
    const { client, call } = setup(200, { id: 'a/1', events: [] });
    await expect(client.getAlert('a/1')).resolves.toEqual({
      id: 'a/1',
      events: [],
    });
    expect(call().url).toBe('http://backend.test/api/security/alerts/a%2F1');
  });

  it('POSTs a status change as JSON', async () => {
    const { client, call } = setup(200, { id: 'alert-1', status: 'closed' });
    await expect(
      client.changeAlertStatus('alert-1', { status: 'closed', note: 'Done' }),
    ).resolves.toEqual({ id: 'alert-1', status: 'closed' });
    const { url, method, body } = call();
    expect(url).toBe('http://backend.test/api/security/alerts/alert-1/status');
    expect(method).toBe('POST');
    expect(JSON.parse(body as string)).toEqual({
      status: 'closed',
      note: 'Done',
    });
  });

  it('reads the summary, the rules and the pipeline', async () => {
    const { client, call } = setup(200, {});
    await client.getSummary(30);
    await client.getSummary();
    await client.listRules();
    await client.getPipeline();
    expect([0, 1, 2, 3].map(n => call(n).url)).toEqual([
      'http://backend.test/api/security/summary?days=30',
      'http://backend.test/api/security/summary',
      'http://backend.test/api/security/rules',
      'http://backend.test/api/security/pipeline',
    ]);
  });

  it("throws a ResponseError with the backend's message on a non-2xx answer", async () => {
    const { client } = setup(403, {
      error: { name: 'NotAllowedError', message: 'Not allowed' },
      response: { statusCode: 403 },
    });
    const error = await client
      .changeAlertStatus('alert-1', { status: 'open', note: 'x' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe('Not allowed');
  });
});
