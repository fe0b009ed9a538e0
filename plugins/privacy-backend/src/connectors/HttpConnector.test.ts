import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpConnector,
  signOpsRequest,
  verifyOpsSignature,
} from './HttpConnector';

const SECRET = 'a-shared-secret-of-32-characters';

/** A fake service with its own DSAR endpoints, checking signatures like a real one would. */
function startFakeService(
  options: { delayMs?: number; status?: number; malformed?: boolean } = {},
) {
  const received: Array<{ path: string; body: unknown }> = [];
  let remaining = 3;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const ok = verifyOpsSignature(
      SECRET,
      req.headers['x-ops-timestamp'] as string | undefined,
      body,
      req.headers['x-ops-signature'] as string | undefined,
    );
    if (!ok) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad signature for customer-42' }));
      return;
    }
    const { subjectId } = JSON.parse(body);
    received.push({ path: req.url!, body: JSON.parse(body) });
    const reply = (json: unknown) => {
      res.writeHead(options.status ?? 200, {
        'Content-Type': 'application/json',
      });
      res.end(JSON.stringify(json));
    };
    setTimeout(() => {
      if (req.method !== 'POST' || options.malformed) {
        reply({ remaining: -1, records: [] });
      } else if (req.url === '/dsar/export') {
        reply({
          records: { profiles: [{ id: subjectId, name: 'Ada' }], carts: [] },
        });
      } else if (req.url === '/dsar/erase') {
        remaining = 0;
        reply({ affected: 4 });
      } else if (req.url === '/dsar/remaining') {
        reply({ remaining });
      } else {
        res.writeHead(404).end();
      }
    }, options.delayMs ?? 0);
  });
  return new Promise<{
    server: Server;
    url: string;
    received: typeof received;
  }>(resolve => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/dsar/`, received });
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', chunk => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

describe('HttpConnector', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });

  async function setup(
    options: {
      delayMs?: number;
      status?: number;
      malformed?: boolean;
      secret?: string;
      timeoutMs?: number;
    } = {},
  ) {
    const fake = await startFakeService(options);
    servers.push(fake.server);
    const connector = new HttpConnector('crm-eu', {
      type: 'http',
      region: 'EU',
      url: fake.url,
      secret: options.secret ?? SECRET,
      timeoutMs: options.timeoutMs,
    });
    return { connector, received: fake.received };
  }

  it('exports, erases and counts through signed calls', async () => {
    const { connector, received } = await setup();
    expect(connector.region).toBe('EU');

    expect(await connector.exportSubject('customer-42')).toEqual({
      profiles: [{ id: 'customer-42', name: 'Ada' }],
      carts: [],
    });
    expect(await connector.countRemaining('customer-42')).toBe(3);
    expect(await connector.eraseSubject('customer-42')).toEqual({
      affected: 4,
    });
    expect(await connector.countRemaining('customer-42')).toBe(0);
    expect(received).toEqual([
      { path: '/dsar/export', body: { subjectId: 'customer-42' } },
      { path: '/dsar/remaining', body: { subjectId: 'customer-42' } },
      { path: '/dsar/erase', body: { subjectId: 'customer-42' } },
      { path: '/dsar/remaining', body: { subjectId: 'customer-42' } },
    ]);
    await connector.close();
  });

  it('gets a 401 from the service with a wrong secret', async () => {
    const { connector, received } = await setup({
      secret: 'not-the-shared-secret-at-all',
    });
    const error = await connector.eraseSubject('customer-42').catch(e => e);
    expect(error).toMatchObject({ name: 'ConnectorRequestError', status: 401 });
    expect(error.message).toMatch(
      /^Data source connection "crm-eu": POST http:\/\/127\.0\.0\.1:\d+\/dsar\/erase failed: HTTP 401 Unauthorized$/,
    );
    // The response body is not quoted: it could hold personal data.
    expect(error.message).not.toContain('customer-42');
    expect(received).toEqual([]);
  });

  it('reports a non-2xx status and a malformed response', async () => {
    const failing = await setup({ status: 503 });
    await expect(failing.connector.exportSubject('x')).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('failed: HTTP 503'),
    });

    const malformed = await setup({ malformed: true });
    await expect(malformed.connector.exportSubject('x')).rejects.toThrow(
      /export failed: the response has no \{ records/,
    );
    await expect(malformed.connector.countRemaining('x')).rejects.toThrow(
      /remaining failed: the response has no \{ remaining/,
    );
  });

  it('gives a clear error on timeout', async () => {
    const { connector } = await setup({ delayMs: 1_000, timeoutMs: 100 });
    const started = Date.now();
    await expect(connector.exportSubject('customer-42')).rejects.toThrow(
      /"crm-eu": POST .*\/dsar\/export failed: timed out after 100 ms/,
    );
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('verifyOpsSignature', () => {
  const now = () => String(Math.floor(Date.now() / 1000));
  const body = '{"subjectId":"customer-42"}';

  it('accepts a fresh, correct signature only', () => {
    const ts = now();
    const signature = signOpsRequest(SECRET, ts, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyOpsSignature(SECRET, ts, body, signature)).toBe(true);
    expect(verifyOpsSignature('other-secret', ts, body, signature)).toBe(false);
    expect(verifyOpsSignature(SECRET, ts, `${body} `, signature)).toBe(false);
    expect(verifyOpsSignature(SECRET, ts, body, undefined)).toBe(false);
    expect(verifyOpsSignature(SECRET, undefined, body, signature)).toBe(false);
    expect(verifyOpsSignature(SECRET, ts, body, 'sha256=00')).toBe(false);
  });

  it('rejects a stale timestamp', () => {
    const old = String(Math.floor(Date.now() / 1000) - 301);
    const signature = signOpsRequest(SECRET, old, body);
    expect(verifyOpsSignature(SECRET, old, body, signature)).toBe(false);
    expect(verifyOpsSignature(SECRET, old, body, signature, 600)).toBe(true);
  });
});

describe('HttpConnector config', () => {
  it.each([
    ['a non-http URL', { url: 'ftp://example.com/dsar' }],
    ['a URL with credentials', { url: 'https://u:p@example.com/dsar' }],
    ['a short secret', { secret: 'short' }],
    ['a missing region', { region: undefined }],
  ])('rejects %s', (_, change) => {
    expect(
      () =>
        new HttpConnector('crm-eu', {
          type: 'http',
          region: 'EU',
          url: 'https://crm.example.com/dsar',
          secret: SECRET,
          ...change,
        }),
    ).toThrow(/Invalid privacy connection config: crm-eu\./);
  });
});
