import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { checkHealthUrl, displayUrl, parseHealthUrl } from './healthUrl';

/** A tiny health endpoint: `/status/<code>`, `/redirect`, `/hang`. */
async function startHealthServer() {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    paths.push(path);
    const code = /^\/status\/(\d{3})$/.exec(path);
    if (code) {
      res.writeHead(Number(code[1]), { 'Content-Type': 'text/plain' });
      res.end('status');
    } else if (path === '/redirect') {
      res.writeHead(302, { Location: '/status/200' }).end();
    } else if (path !== '/hang') {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('checkHealthUrl', () => {
  let health: Awaited<ReturnType<typeof startHealthServer>>;
  beforeEach(async () => {
    health = await startHealthServer();
  });
  afterEach(() => health.close());

  it('is healthy on 2xx', async () => {
    const result = await checkHealthUrl(
      new URL(`${health.url}/status/204?token=x`),
      {},
    );
    expect(result).toEqual({
      healthy: true,
      details: `GET ${health.url}/status/204: 204 No Content`,
    });
  });

  it('is not healthy on 500', async () => {
    const result = await checkHealthUrl(
      new URL(`${health.url}/status/500`),
      {},
    );
    expect(result).toEqual({
      healthy: false,
      details: `GET ${health.url}/status/500: 500 Internal Server Error`,
    });
  });

  it('does not follow a redirect', async () => {
    const result = await checkHealthUrl(new URL(`${health.url}/redirect`), {});
    expect(result.healthy).toBe(false);
    expect(result.details).toContain('302 Found (a redirect, not followed)');
    expect(health.paths).toEqual(['/redirect']);
  });

  it('is not healthy when the endpoint does not answer in time', async () => {
    const result = await checkHealthUrl(new URL(`${health.url}/hang`), {
      timeoutMs: 100,
    });
    expect(result).toEqual({
      healthy: false,
      details: `GET ${health.url}/hang: no answer within 0.1 s`,
    });
  });

  it('is not healthy when nothing listens', async () => {
    const url = new URL(`${health.url}/status/200`);
    await health.close();
    const result = await checkHealthUrl(url, {});
    expect(result.healthy).toBe(false);
    expect(result.details).toContain('ECONNREFUSED');
  });
});

describe('parseHealthUrl', () => {
  it('accepts http and https, naming the annotation otherwise', () => {
    expect(parseHealthUrl(' https://pay.example.com/healthz ').href).toBe(
      'https://pay.example.com/healthz',
    );
    expect(() => parseHealthUrl('file:///etc/passwd')).toThrow(
      'Annotation ops.portal/health-url must be an http or https URL, not file:',
    );
    expect(() => parseHealthUrl('not a url')).toThrow(
      'Annotation ops.portal/health-url is not a URL: not a url',
    );
  });

  it('shows no credentials or query', () => {
    expect(
      displayUrl(new URL('https://u:p@pay.example.com/health?key=secret')),
    ).toBe('https://pay.example.com/health');
  });
});
