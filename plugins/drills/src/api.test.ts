import type { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { DrillsClient } from './api';

function setup(status: number, body: unknown) {
  const fetchApi = {
    fetch: jest.fn(
      async () =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        }),
    ),
  };
  const client = new DrillsClient({
    pluginId: 'drills',
    discoveryApi: {
      getBaseUrl: async (pluginId: string) =>
        `http://backend.test/api/${pluginId}`,
    },
    fetchApi: fetchApi as unknown as FetchApi,
  });
  return { client, fetchApi };
}

const step = {
  id: 'detect-1',
  phase: 'detect',
  position: 1,
  text: 'Confirm the primary is down',
  checked: true,
  version: 2,
  updatedBy: 'user:default/bob',
  updatedAt: '2026-12-01T10:02:00.000Z',
};

describe('DrillsClient.setStep', () => {
  it('PUTs the step and answers it when saved', async () => {
    const { client, fetchApi } = setup(200, step);

    await expect(
      client.setStep('run 1', 'detect-1', {
        checked: true,
        expectedVersion: 1,
      }),
    ).resolves.toEqual({ ok: true, step });

    const [url, init] = fetchApi.fetch.mock.calls[0] as unknown as [
      string,
      RequestInit,
    ];
    expect(url).toBe(
      'http://backend.test/api/drills/runs/run%201/steps/detect-1',
    );
    expect(init.method).toBe('PUT');
    expect(JSON.parse(init.body as string)).toEqual({
      checked: true,
      expectedVersion: 1,
    });
  });

  it('answers a 409 with the current step instead of throwing', async () => {
    const { client } = setup(409, {
      error: { name: 'ConflictError', message: 'bob changed it first' },
      current: step,
    });

    await expect(
      client.setStep('run-1', 'detect-1', {
        checked: false,
        expectedVersion: 1,
      }),
    ).resolves.toEqual({
      ok: false,
      current: step,
      message: 'bob changed it first',
    });
  });

  it('throws a ResponseError for other failures', async () => {
    const { client } = setup(403, {
      error: { name: 'NotAllowedError', message: 'not a participant' },
    });

    const error = await client
      .setStep('run-1', 'detect-1', { checked: true, expectedVersion: 1 })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
  });
});

describe('DrillsClient.leave', () => {
  it("DELETEs the caller's presence with keepalive, so it outlives the page", async () => {
    const { client, fetchApi } = setup(204, null);
    fetchApi.fetch.mockResolvedValueOnce(new Response(null, { status: 204 }));

    await expect(client.leave('run 1')).resolves.toBeUndefined();

    const [url, init] = fetchApi.fetch.mock.calls[0] as unknown as [
      string,
      RequestInit,
    ];
    expect(url).toBe('http://backend.test/api/drills/runs/run%201/presence');
    expect(init).toEqual({ method: 'DELETE', keepalive: true });
  });
});
