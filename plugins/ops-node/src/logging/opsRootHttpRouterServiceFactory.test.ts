import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createBackend } from '@backstage/backend-defaults';
import type { ServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/config';
import express from 'express';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { transports } from 'winston';
import { ecsRootLoggerServiceFactory } from './ecsRootLoggerServiceFactory';
import { opsRootHttpRouterServiceFactory } from './opsRootHttpRouterServiceFactory';

/** A free local port (the router listens where the config says). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise(resolve => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

const pingPlugin = createBackendPlugin({
  pluginId: 'ping',
  register(env) {
    env.registerInit({
      deps: { http: coreServices.httpRouter },
      async init({ http }) {
        const router = express.Router();
        router.get('/', (_req, res) => {
          res.json({ pong: true });
        });
        // A long poll that never answers on its own.
        router.get('/wait', () => {});
        http.use(router);
        http.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});

/**
 * A backend with Backstage's default services, our router and the given root
 * logger. Not `startTestBackend`: in backend-test-utils 1.11 it throws when
 * its own root HTTP router is replaced (its `server` getter).
 */
async function startBackend(rootLogger: ServiceFactory, data: JsonObject = {}) {
  const port = await freePort();
  const backend = createBackend();
  for (const feature of [
    opsRootHttpRouterServiceFactory,
    rootLogger,
    mockServices.rootConfig.factory({
      data: { ...data, backend: { listen: { host: '127.0.0.1', port } } },
    }),
    mockServices.auth.factory(),
    mockServices.httpAuth.factory(),
    mockServices.discovery.factory(),
    pingPlugin,
  ]) {
    backend.add(feature);
  }
  await backend.start();
  return { backend, url: `http://127.0.0.1:${port}` };
}

describe('opsRootHttpRouterServiceFactory', () => {
  it('closes connections still open after the shutdown drain', async () => {
    const { backend, url } = await startBackend(
      mockServices.rootLogger.factory(),
      { ops: { http: { shutdownDrainSeconds: 0.2 } } },
    );
    const waiting = fetch(`${url}/api/ping/wait`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise(resolve => setTimeout(resolve, 100));
    // Without the drain, stop() would wait for the long poll for ever.
    await backend.stop();
    expect(await waiting).toBe('cut');
  });

  it('logs the access line with the client address and the duration', async () => {
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const { backend, url } = await startBackend(
      mockServices.rootLogger.mock({ child: jest.fn(() => logger) }).factory,
    );

    const res = await request(url)
      .get('/api/ping')
      .set('User-Agent', 'probe/1.0')
      .expect(200, { pong: true });
    // helmet and the rest of Backstage's defaults still apply
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    await request(url).get('/api/nothing-here').expect(404);
    await backend.stop();

    const access = logger.info.mock.calls
      .map(([message, meta]) => ({
        message,
        meta: meta as Record<string, unknown>,
      }))
      .filter(({ meta }) => meta?.type === 'incomingRequest');
    expect(access.map(({ message }) => message)).toEqual([
      expect.stringMatching(
        /^"GET \/api\/ping HTTP\/1\.1" 200 \d+ "-" "probe\/1\.0"$/,
      ),
      expect.stringMatching(/^"GET \/api\/nothing-here HTTP\/1\.1" 404 /),
    ]);
    for (const { meta } of access) {
      expect(meta?.remoteAddr).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      expect(meta?.durationMs).toEqual(expect.any(Number));
      expect(meta?.durationMs).toBeGreaterThanOrEqual(0);
    }
  }, 60_000);

  it('gives ECS access lines client.ip, source.ip and event.duration', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const { backend, url } = await startBackend(
      ecsRootLoggerServiceFactory({
        transports: [new transports.Stream({ stream })],
      }),
      { ops: { logging: { format: 'ecs' } } },
    );

    await request(url).get('/api/ping').expect(200);
    await backend.stop();

    const access = lines
      .map(line => JSON.parse(line))
      .filter(doc => doc['url.path'] === '/api/ping');
    expect(access).toEqual([
      expect.objectContaining({
        'log.logger': 'rootHttpRouter',
        'http.response.status_code': 200,
        'client.ip': expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/),
        'source.ip': expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/),
        'event.duration': expect.any(Number),
      }),
    ]);
    expect(Number.isInteger(access[0]['event.duration'])).toBe(true);
    expect(access[0]['event.duration']).toBeGreaterThanOrEqual(0);
    expect(access[0]).not.toHaveProperty(['durationMs']);
    expect(access[0]).not.toHaveProperty(['remoteAddr']);
  }, 60_000);
});
