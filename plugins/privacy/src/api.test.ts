import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { PrivacyClient } from './api';

function setup(response: () => Response) {
  const discoveryApi: DiscoveryApi = {
    getBaseUrl: async pluginId => `http://backend.test/api/${pluginId}`,
  };
  const fetchApi = { fetch: jest.fn(async () => response()) };
  const client = new PrivacyClient({
    pluginId: 'privacy',
    discoveryApi,
    fetchApi: fetchApi as unknown as FetchApi,
  });
  const call = (index = 0) =>
    fetchApi.fetch.mock.calls[index] as unknown as [string, RequestInit];
  return { client, fetchApi, call };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    statusText: status === 409 ? 'Conflict' : 'OK',
    headers: { 'Content-Type': 'application/json' },
  });

const intake = {
  subject: { id: 'c-1' },
  region: 'EU' as const,
  jurisdiction: 'GDPR' as const,
};

describe('PrivacyClient', () => {
  it('sends the list filters as query parameters', async () => {
    const { client, call } = setup(() =>
      json(200, { items: [], totalCount: 0, limit: 10, offset: 20 }),
    );
    await client.listRequests({
      limit: 10,
      offset: 20,
      state: 'failed',
      priority: 'HIGH',
      overdue: true,
      sort: 'slaDueAt',
      order: 'asc',
    });
    expect(call()[0]).toBe(
      'http://backend.test/api/privacy/requests?limit=10&offset=20&state=failed&priority=HIGH&overdue=true&sort=slaDueAt&order=asc',
    );
  });

  it('posts an intake with its Idempotency-Key and tells a new request from a duplicate', async () => {
    const { client, call } = setup(() => json(201, { id: 'dsar-1' }));
    await expect(
      client.submitExport(intake, { idempotencyKey: 'k-1' }),
    ).resolves.toEqual({ request: { id: 'dsar-1' }, duplicate: false });
    const [url, init] = call();
    expect(url).toBe('http://backend.test/api/privacy/export');
    expect(init.method).toBe('POST');
    const headers = new Headers(init.headers);
    expect(headers.get('Idempotency-Key')).toBe('k-1');
    expect(headers.get('Content-Type')).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual(intake);

    const again = setup(() => json(200, { id: 'dsar-1' }));
    await expect(again.client.submitDelete(intake)).resolves.toEqual({
      request: { id: 'dsar-1' },
      duplicate: true,
    });
    expect(again.call()[0]).toBe('http://backend.test/api/privacy/delete');
    expect(new Headers(again.call()[1].headers).has('Idempotency-Key')).toBe(
      false,
    );
  });

  it('posts the actions to their routes, the extension with its reason', async () => {
    const { client, call } = setup(() => json(200, { id: 'a/b' }));
    await client.approve('a/b');
    await client.cancel('x');
    await client.retry('x');
    await client.extendDeadline('x', { reason: 'long enough reason' });
    expect(call(0)[0]).toBe(
      'http://backend.test/api/privacy/requests/a%2Fb/approve',
    );
    expect(call(1)[0]).toMatch(/\/requests\/x\/cancel$/);
    expect(call(2)[0]).toMatch(/\/requests\/x\/retry$/);
    expect(call(3)[0]).toMatch(/\/requests\/x\/extend$/);
    expect(JSON.parse(call(3)[1].body as string)).toEqual({
      reason: 'long enough reason',
    });
  });

  it('reads status, audit, consent and metrics from their routes', async () => {
    const { client, call } = setup(() => json(200, {}));
    await client.getStatus('r1');
    await client.getAudit('r1');
    await client.verifyAudit();
    await client.getConsent('c 1');
    await client.changeConsent({
      subject: { id: 'c1' },
      purpose: 'marketing',
      granted: false,
      source: 'web-banner',
    });
    await client.getSlaReport();
    await client.getQueueMetrics();
    expect(
      [0, 1, 2, 3, 4, 5, 6].map(i => [
        call(i)[1].method,
        call(i)[0].replace('http://backend.test/api/privacy', ''),
      ]),
    ).toEqual([
      ['GET', '/requests/r1'],
      ['GET', '/requests/r1/audit'],
      ['GET', '/audit/verify'],
      ['POST', '/consent/lookup'],
      ['POST', '/consent'],
      ['GET', '/metrics/sla'],
      ['GET', '/metrics/queue'],
    ]);
    // The subject id travels in the body, never in the URL.
    expect(JSON.parse(call(3)[1].body as string)).toEqual({
      subject: { id: 'c 1' },
    });
  });

  it('downloads an export as a blob', async () => {
    const { client, call } = setup(
      () =>
        new Response(new Uint8Array([80, 75, 3, 4]), {
          status: 200,
          headers: { 'Content-Type': 'application/zip' },
        }),
    );
    const blob = await client.downloadExport('exp-1');
    expect(call()[0]).toBe(
      'http://backend.test/api/privacy/exports/exp-1/download',
    );
    expect(blob.size).toBe(4);
    expect(blob.type).toBe('application/zip');
  });

  it('throws a ResponseError carrying the backend message', async () => {
    const { client } = setup(() =>
      json(409, {
        error: { name: 'ConflictError', message: 'illegal' },
        response: { statusCode: 409 },
      }),
    );
    const error: ResponseError = await client.submitExport(intake).then(
      () => {
        throw new Error('expected a rejection');
      },
      (e: ResponseError) => e,
    );
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error.message).toBe('illegal');
    await expect(client.downloadExport('e')).rejects.toMatchObject({
      statusCode: 409,
    });
  });
});
