/**
 * @jest-environment node
 */
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { OpsApiClient, Page, QueryValue } from './OpsApiClient';

/** Exposes the protected helpers the plugin clients build on. */
class TestClient extends OpsApiClient {
  list(query: Record<string, QueryValue>) {
    return this.get<Page<{ id: string }>>('/requests', query);
  }
  create(body: unknown) {
    return this.post<{ id: string }>('/export', body);
  }
  put(body: unknown) {
    return this.fetchResponse('/requests/r1', {
      method: 'PUT',
      body: JSON.stringify(body),
    });
  }
  link(path: string) {
    return this.url(path);
  }
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText: status === 200 ? 'OK' : 'Bad Request',
    headers: { 'Content-Type': 'application/json' },
  });
}

function setup(response: () => Response) {
  const discoveryApi: jest.Mocked<DiscoveryApi> = {
    getBaseUrl: jest.fn(
      async (pluginId: string) => `http://backend.test/api/${pluginId}`,
    ),
  };
  const fetchApi = { fetch: jest.fn(async () => response()) };
  const client = new TestClient({
    pluginId: 'privacy',
    discoveryApi,
    fetchApi: fetchApi as unknown as FetchApi,
  });
  return { client, discoveryApi, fetchApi };
}

describe('OpsApiClient', () => {
  it('builds <baseUrl><path>?query from the discovered base URL, skipping undefined and empty values', async () => {
    const page = { items: [{ id: 'r1' }], totalCount: 1, limit: 25, offset: 0 };
    const { client, discoveryApi, fetchApi } = setup(() =>
      jsonResponse(200, page),
    );

    await expect(
      client.list({
        limit: 25,
        offset: 0,
        state: undefined,
        region: '',
        urgent: true,
      }),
    ).resolves.toEqual(page);

    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('privacy');
    expect(fetchApi.fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetchApi.fetch.mock.calls[0] as unknown as [
      string,
      RequestInit,
    ];
    expect(url).toBe(
      'http://backend.test/api/privacy/requests?limit=25&offset=0&urgent=true',
    );
    expect(init.method).toBe('GET');
  });

  it('omits the question mark when no query value is set', async () => {
    const { client, fetchApi } = setup(() =>
      jsonResponse(200, { items: [], totalCount: 0, limit: 25, offset: 0 }),
    );
    await client.list({ state: undefined, type: '' });
    expect(fetchApi.fetch.mock.calls[0]).toEqual([
      'http://backend.test/api/privacy/requests',
      expect.anything(),
    ]);
  });

  it('posts the body as JSON', async () => {
    const { client, fetchApi } = setup(() => jsonResponse(200, { id: 'r2' }));
    const body = { subject: { id: 'u-1' }, region: 'EU', jurisdiction: 'GDPR' };

    await expect(client.create(body)).resolves.toEqual({ id: 'r2' });

    const [url, init] = fetchApi.fetch.mock.calls[0] as unknown as [
      string,
      RequestInit,
    ];
    expect(url).toBe('http://backend.test/api/privacy/export');
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('Content-Type')).toBe(
      'application/json',
    );
    expect(JSON.parse(init.body as string)).toEqual(body);
  });

  it('throws a ResponseError carrying the backend message on a 4xx', async () => {
    const { client } = setup(() =>
      jsonResponse(400, {
        error: {
          name: 'InputError',
          message: 'region must be one of EU, US, UK, APAC',
        },
        request: { method: 'POST', url: '/api/privacy/export' },
        response: { statusCode: 400 },
      }),
    );

    const error = await client.create({ region: 'MARS' }).catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.body.error.message).toBe(
      'region must be one of EU, US, UK, APAC',
    );
    expect(error.message).toBe('Request failed with 400 Bad Request');
    expect(error.cause).toMatchObject({
      name: 'InputError',
      message: 'region must be one of EU, US, UK, APAC',
    });
  });

  it('answers the response of fetchResponse whatever its status, without throwing', async () => {
    const conflict = { error: { message: 'changed' }, current: { id: 'r1' } };
    const { client, discoveryApi, fetchApi } = setup(() =>
      jsonResponse(409, conflict),
    );

    const response = await client.put({ state: 'done' });

    expect(response.status).toBe(409);
    await expect(response.json()).resolves.toEqual(conflict);
    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('privacy');
    const [url, init] = fetchApi.fetch.mock.calls[0] as unknown as [
      string,
      RequestInit,
    ];
    expect(url).toBe('http://backend.test/api/privacy/requests/r1');
    expect(init.method).toBe('PUT');
    expect(JSON.parse(init.body as string)).toEqual({ state: 'done' });
  });

  it('builds <baseUrl><path> for url without fetching', async () => {
    const { client, fetchApi } = setup(() => jsonResponse(200, {}));

    await expect(client.link('/items/i1/content')).resolves.toBe(
      'http://backend.test/api/privacy/items/i1/content',
    );
    expect(fetchApi.fetch).not.toHaveBeenCalled();
  });
});
