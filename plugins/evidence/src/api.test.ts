import type { FetchApi } from '@backstage/core-plugin-api';
import { File as NodeFile } from 'node:buffer';
import { EvidenceClient } from './api';

function setup(answer: () => Response) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchApi = {
    fetch: jest.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return answer();
    }),
  };
  const discoveryApi = {
    getBaseUrl: jest.fn(async (id: string) => `http://backend.test/api/${id}`),
  };
  const client = new EvidenceClient({
    pluginId: 'evidence',
    discoveryApi,
    fetchApi: fetchApi as unknown as FetchApi,
  });
  return { client, calls, discoveryApi };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    statusText: status === 409 ? 'Conflict' : 'OK',
    headers: { 'Content-Type': 'application/json' },
  });

describe('EvidenceClient', () => {
  it('uploads multipart form data: the file as `file`, what it proves as `metadata` JSON', async () => {
    const { client, calls } = setup(() =>
      json(201, { id: 'i1', title: 'Policy' }),
    );
    // The test environment's FormData is Node's, so the file must be Node's too.
    const file = new NodeFile(['%PDF-1.7 policy'], 'security-policy.pdf', {
      type: 'application/pdf',
    }) as unknown as File;
    const metadata = {
      title: 'Security policy',
      points: ['CC1.1', 'CC5.3'],
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-12-31T23:59:59.999Z',
    };

    await expect(client.uploadItem(file, metadata)).resolves.toEqual({
      id: 'i1',
      title: 'Policy',
    });

    expect(calls).toHaveLength(1);
    const { url, init } = calls[0];
    expect(url).toBe('http://backend.test/api/evidence/items');
    expect(init.method).toBe('POST');
    // The browser writes the multipart Content-Type with its boundary.
    expect(new Headers(init.headers).has('Content-Type')).toBe(false);
    const form = init.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect(JSON.parse(form.get('metadata') as string)).toEqual(metadata);
    const sent = form.get('file') as File;
    expect(sent.name).toBe('security-policy.pdf');
    expect(await new Response(sent).text()).toBe('%PDF-1.7 policy');
  });

  it('downloads a file and a binder with the user token, as blobs', async () => {
    const { client, calls } = setup(
      () =>
        new Response('bytes', {
          status: 200,
          headers: { 'Content-Type': 'application/gzip' },
        }),
    );
    const item = await client.downloadItem('i/1');
    expect(await new Response(item).text()).toBe('bytes');
    await client.downloadBinder('b1');
    expect(calls.map(c => [c.init.method, c.url])).toEqual([
      ['GET', 'http://backend.test/api/evidence/items/i%2F1/content'],
      ['GET', 'http://backend.test/api/evidence/binders/b1/download'],
    ]);
    await expect(client.itemContentUrl('i1')).resolves.toBe(
      'http://backend.test/api/evidence/items/i1/content',
    );
    await expect(client.binderDownloadUrl('b1')).resolves.toBe(
      'http://backend.test/api/evidence/binders/b1/download',
    );
  });

  it('calls each route with its method, path, query and body', async () => {
    const { client, calls } = setup(() => json(200, {}));
    await client.listItems({ limit: 25, offset: 50, point: 'CC8.1', q: '' });
    await client.runCollector('sbom');
    await client.getRun('r1');
    await client.listRuns({ limit: 10, offset: 0, state: 'failed' });
    await client.createException({
      point: 'CC9.2',
      reason: 'Vendor reviews start next quarter',
      approver: 'user:default/ciso',
      expiresAt: '2027-03-31T23:59:59.999Z',
    });
    await client.revokeException('e1');
    await client.listExceptions({ limit: 25, offset: 0, state: 'active' });
    await client.signOffAccessReview('i9', { comment: 'Reviewed with HR' });
    await client.setLegalHold('i1', { hold: true, reason: 'litigation' });
    await client.createBinder({
      periodStart: '2026-09-01T00:00:00.000Z',
      periodEnd: '2026-11-30T23:59:59.999Z',
    });
    await client.getBinder('b1');
    await client.verifyBinder('b1');
    await client.verifyItem('i1');
    await client.getCoverage();
    await client.getCriteria();
    await client.listCollectors();
    await client.listAccessReviews({ limit: 10, offset: 0 });
    await client.listBinders({ limit: 10, offset: 0 });

    const base = 'http://backend.test/api/evidence';
    expect(
      calls.map(c => [
        c.init.method,
        c.url.replace(base, ''),
        c.init.body ? JSON.parse(c.init.body as string) : undefined,
      ]),
    ).toEqual([
      ['GET', '/items?limit=25&offset=50&point=CC8.1', undefined],
      ['POST', '/collectors/sbom/runs', {}],
      ['GET', '/runs/r1', undefined],
      ['GET', '/runs?limit=10&offset=0&state=failed', undefined],
      [
        'POST',
        '/exceptions',
        {
          point: 'CC9.2',
          reason: 'Vendor reviews start next quarter',
          approver: 'user:default/ciso',
          expiresAt: '2027-03-31T23:59:59.999Z',
        },
      ],
      ['POST', '/exceptions/e1/revoke', {}],
      ['GET', '/exceptions?limit=25&offset=0&state=active', undefined],
      ['POST', '/access-reviews/i9/sign-off', { comment: 'Reviewed with HR' }],
      ['POST', '/items/i1/legal-hold', { hold: true, reason: 'litigation' }],
      [
        'POST',
        '/binders',
        {
          periodStart: '2026-09-01T00:00:00.000Z',
          periodEnd: '2026-11-30T23:59:59.999Z',
        },
      ],
      ['GET', '/binders/b1', undefined],
      ['POST', '/binders/b1/verify', {}],
      ['POST', '/items/i1/verify', {}],
      ['GET', '/coverage', undefined],
      ['GET', '/criteria', undefined],
      ['GET', '/collectors', undefined],
      ['GET', '/access-reviews?limit=10&offset=0', undefined],
      ['GET', '/binders?limit=10&offset=0', undefined],
    ]);
  });

  it('reads the public key as text and deletes with DELETE', async () => {
    const pem =
      '-----BEGIN PUBLIC KEY-----\nMCowBQ\n-----END PUBLIC KEY-----\n';
    const { client, calls } = setup(() => new Response(pem, { status: 200 }));
    await expect(client.getPublicKey()).resolves.toBe(pem);
    await client.deleteItem('i1');
    expect(calls[1].init.method).toBe('DELETE');
    expect(calls[1].url).toBe('http://backend.test/api/evidence/items/i1');
  });

  it('throws the backend message when a call is refused', async () => {
    const { client } = setup(() =>
      json(409, {
        error: { name: 'ConflictError', message: 'retained until 2033-11-30' },
        response: { statusCode: 409 },
      }),
    );
    await expect(client.deleteItem('i1')).rejects.toMatchObject({
      statusCode: 409,
      body: { error: { message: 'retained until 2033-11-30' } },
    });
  });
});
