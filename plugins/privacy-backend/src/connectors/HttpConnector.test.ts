import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  HttpConnector,
  NonceCache,
  newNonce,
  signOpsRequest,
  verifyOpsRequest,
} from './HttpConnector';
import { createDemoAccountsService } from '../demo/demoAccountsService';

const SECRET = 'a-shared-secret-of-32-characters';

/** A fake service with its own DSAR endpoints, checking signatures like a real one would. */
function startFakeService(
  options: { delayMs?: number; status?: number; malformed?: boolean } = {},
) {
  const received: Array<{ path: string; body: unknown }> = [];
  let remaining = 3;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const { ok } = verifyOpsRequest(SECRET, {
      method: req.method!,
      path: req.url!,
      body,
      timestamp: req.headers['x-ops-timestamp'] as string | undefined,
      nonce: req.headers['x-ops-nonce'] as string | undefined,
      signature: req.headers['x-ops-signature'] as string | undefined,
    });
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
    const connector = new HttpConnector(
      'crm-eu',
      {
        type: 'http',
        region: 'EU',
        url: fake.url,
        secret: options.secret ?? SECRET,
        timeoutMs: options.timeoutMs,
      },
      { allowInsecureHttp: true },
    );
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

describe('verifyOpsRequest', () => {
  const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
  const seconds = (ms: number) => String(Math.floor(ms / 1000));
  const body = '{"subjectId":"customer-42"}';
  const signed = (
    change: Partial<{
      method: string;
      path: string;
      timestamp: string;
      nonce: string;
      body: string;
    }> = {},
  ) => {
    const parts = {
      method: 'POST',
      path: '/dsar/export',
      timestamp: seconds(NOW),
      nonce: newNonce(),
      body,
      ...change,
    };
    return { ...parts, signature: signOpsRequest(SECRET, parts) };
  };
  const at = (ms: number) => ({ now: () => ms });

  it('accepts a fresh, correct signature only, over method, path, timestamp, nonce and body', () => {
    const request = signed();
    expect(request.signature).toMatch(/^v2=[0-9a-f]{64}$/);
    expect(verifyOpsRequest(SECRET, request, at(NOW))).toEqual({ ok: true });
    const refused = (change: object, secret = SECRET) =>
      verifyOpsRequest(secret, { ...request, ...change }, at(NOW));
    expect(refused({}, 'other-secret-of-16-chars')).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    for (const change of [
      { body: `${body} ` },
      { method: 'PUT' },
      { path: '/dsar/erase' },
      { path: '/dsar/export?x=1' },
      { nonce: newNonce() },
      { timestamp: seconds(NOW + 1000) },
      { signature: 'v2=00' },
    ]) {
      expect(refused(change)).toEqual({ ok: false, reason: 'bad-signature' });
    }
    for (const missing of ['signature', 'nonce', 'timestamp']) {
      expect(refused({ [missing]: undefined })).toEqual({
        ok: false,
        reason: 'missing-headers',
      });
    }
    expect(refused({ nonce: 'short' })).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
  });

  it('rejects a stale timestamp', () => {
    const old = signed({ timestamp: seconds(NOW - 301_000) });
    expect(verifyOpsRequest(SECRET, old, at(NOW))).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
    const ahead = signed({ timestamp: seconds(NOW + 301_000) });
    expect(verifyOpsRequest(SECRET, ahead, at(NOW))).toMatchObject({
      ok: false,
      reason: 'stale-timestamp',
    });
    expect(
      verifyOpsRequest(SECRET, old, { ...at(NOW), maxSkewSeconds: 600 }),
    ).toEqual({ ok: true });
  });

  it('rejects a replayed nonce while its timestamp is fresh, in bounded memory', () => {
    let now = NOW;
    const nonces = new NonceCache({ maxEntries: 3, now: () => now });
    const options = { nonces, now: () => now };
    const first = signed();
    expect(verifyOpsRequest(SECRET, first, options)).toEqual({ ok: true });
    expect(verifyOpsRequest(SECRET, first, options)).toEqual({
      ok: false,
      reason: 'replayed-nonce',
    });
    // A forged request does not spend memory.
    verifyOpsRequest(SECRET, { ...signed(), signature: 'v2=00' }, options);
    expect(nonces.size).toBe(1);

    expect(verifyOpsRequest(SECRET, signed(), options).ok).toBe(true);
    expect(verifyOpsRequest(SECRET, signed(), options).ok).toBe(true);
    // Full of fresh nonces: refused rather than forgetting one.
    expect(verifyOpsRequest(SECRET, signed(), options)).toEqual({
      ok: false,
      reason: 'replayed-nonce',
    });
    // Once their timestamps are stale, they are swept and room is made.
    now = NOW + 302_000;
    expect(
      verifyOpsRequest(SECRET, signed({ timestamp: seconds(now) }), options),
    ).toEqual({ ok: true });
    expect(nonces.size).toBe(1);
    // And the first request, replayed now, is refused by its timestamp.
    expect(verifyOpsRequest(SECRET, first, options)).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
  });
});

describe('the demo accounts DSAR service', () => {
  const MOUNT = '/api/privacy/demo/accounts-dsar';
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });

  /**
   * The demo service mounted where the plugin mounts it, behind a recorder
   * that keeps each incoming request's path, headers and body as sent: what
   * an attacker on the network would capture.
   */
  async function startDemo() {
    const captured: Array<{
      path: string;
      headers: Record<string, string>;
      body: string;
    }> = [];
    const app = express();
    app.use((req, _res, next) => {
      const call = {
        path: req.originalUrl,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([name]) =>
            name.startsWith('x-ops-'),
          ),
        ) as Record<string, string>,
        body: '',
      };
      captured.push(call);
      req.on('data', chunk => (call.body += chunk));
      next();
    });
    app.use(MOUNT, createDemoAccountsService(SECRET));
    const server = await new Promise<Server>(resolve => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const connector = new HttpConnector(
      'accounts-dsar-api',
      {
        type: 'http',
        region: 'US',
        url: `${base}${MOUNT}`,
        secret: SECRET,
      },
      { allowInsecureHttp: true },
    );
    const replay = (
      path: string,
      request: (typeof captured)[number],
      headers: Record<string, string> = {},
    ) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...request.headers,
          ...headers,
        },
        body: request.body,
      });
    return { connector, captured, replay };
  }

  it('serves the connector, and refuses a captured /export replayed to /erase or as it is', async () => {
    const { connector, captured, replay } = await startDemo();
    const subject = 'customer-1001';
    expect(await connector.exportSubject(subject)).toEqual({
      avatars: [{ file: `${subject}/avatar.png`, bytes: 48213 }],
    });
    expect(captured).toHaveLength(1);
    const exportCall = captured[0];
    expect(exportCall.path).toBe(`${MOUNT}/export`);
    expect(Object.keys(exportCall.headers).sort()).toEqual([
      'x-ops-nonce',
      'x-ops-signature',
      'x-ops-timestamp',
    ]);

    // The captured export, sent to /erase: the signature covers the path.
    const toErase = await replay(`${MOUNT}/erase`, exportCall);
    expect(toErase.status).toBe(401);
    expect(await toErase.json()).toEqual({ error: 'refused: bad-signature' });
    // Nothing was erased.
    expect(await connector.countRemaining(subject)).toBe(1);

    // The captured export, sent again as it is: its nonce was used.
    const again = await replay(`${MOUNT}/export`, exportCall);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'refused: replayed-nonce' });

    // With a new nonce, the old signature no longer matches.
    const renonced = await replay(`${MOUNT}/export`, exportCall, {
      'x-ops-nonce': newNonce(),
    });
    expect(renonced.status).toBe(401);
    expect(await renonced.json()).toEqual({ error: 'refused: bad-signature' });

    // The connector's own calls go on working, each with a fresh nonce.
    expect(await connector.eraseSubject(subject)).toEqual({ affected: 1 });
    expect(await connector.countRemaining(subject)).toBe(0);
    // The connector's calls: export, remaining, erase, remaining (the others are replays).
    expect(captured).toHaveLength(7);
    const own = [0, 2, 5, 6].map(i => captured[i]);
    const nonces = own.map(c => c.headers['x-ops-nonce']);
    expect(new Set(nonces).size).toBe(4);
  });

  it('refuses a stale timestamp even with a valid signature', async () => {
    const { replay } = await startDemo();
    const body = JSON.stringify({ subjectId: 'customer-1002' });
    const parts = {
      method: 'POST',
      path: `${MOUNT}/erase`,
      timestamp: String(Math.floor(Date.now() / 1000) - 301),
      nonce: newNonce(),
      body,
    };
    const response = await replay(parts.path, {
      path: parts.path,
      body,
      headers: {
        'x-ops-timestamp': parts.timestamp,
        'x-ops-nonce': parts.nonce,
        'x-ops-signature': signOpsRequest(SECRET, parts),
      },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'refused: stale-timestamp',
    });
  });
});

describe('HttpConnector response size cap', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise(resolve => (server ? server.close(resolve) : resolve(0)));
    server = undefined;
  });

  /** A service answering 200 with an endless JSON body, sent in 64 KiB chunks without Content-Length; it counts what it managed to send. */
  async function startFlood(options: { contentLength?: number } = {}) {
    const sent = { bytes: 0, closed: false };
    const chunk = Buffer.alloc(64 * 1024, 'a');
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, {
        'Content-Type': 'application/json',
        ...(options.contentLength
          ? { 'Content-Length': String(options.contentLength) }
          : {}),
      });
      res.write('{"records":{"x":["');
      const pump = () => {
        while (!sent.closed && sent.bytes < 512 * 1024 * 1024) {
          sent.bytes += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      res.on('close', () => (sent.closed = true));
      pump();
    });
    await new Promise<void>(resolve =>
      server!.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = server!.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/dsar`, sent };
  }

  const connectorTo = (url: string, maxResponseBytes?: number) =>
    new HttpConnector(
      'crm-eu',
      { type: 'http', region: 'EU', url, secret: SECRET, maxResponseBytes },
      { allowInsecureHttp: true },
    );

  it('stops reading past maxResponseBytes with a clear error, without taking the whole body', async () => {
    const flood = await startFlood();
    const connector = connectorTo(flood.url, 1024 * 1024);
    await expect(connector.exportSubject('customer-42')).rejects.toThrow(
      /^Data source connection "crm-eu": POST http:\/\/127\.0\.0\.1:\d+\/dsar\/export failed: the response is larger than maxResponseBytes \(1048576 bytes\)$/,
    );
    // The connection was dropped long before the service's 512 MiB went out.
    for (let i = 0; i < 100 && !flood.sent.closed; i++) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(flood.sent.closed).toBe(true);
    expect(flood.sent.bytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses at once a Content-Length over the cap', async () => {
    const flood = await startFlood({ contentLength: 2 * 1024 * 1024 });
    await expect(
      connectorTo(flood.url, 1024 * 1024).countRemaining('customer-42'),
    ).rejects.toThrow(/larger than maxResponseBytes \(1048576 bytes\)/);
  });

  it('defaults to 50 MiB and checks the setting', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(50 * 1024 * 1024);
    expect(() => connectorTo('https://crm.example.com/dsar', 0)).toThrow(
      /crm-eu\.maxResponseBytes/,
    );
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

  it('refuses an http URL unless allowed (demo mode)', () => {
    const config = {
      type: 'http',
      region: 'EU',
      url: 'http://crm.example.com/dsar',
      secret: SECRET,
    };
    expect(() => new HttpConnector('crm-eu', config)).toThrow(
      'Invalid privacy connection config: crm-eu.url: must be an https URL outside demo mode',
    );
    expect(
      () => new HttpConnector('crm-eu', config, { allowInsecureHttp: true }),
    ).not.toThrow();
  });
});
