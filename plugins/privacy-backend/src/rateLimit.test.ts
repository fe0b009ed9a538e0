import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import {
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { privacyPlugin } from './plugin';
import { createCallerRateLimit, rateLimitKey } from './rateLimit';
import { key32 } from './testing/harness';
import { startBehindRealHttpRouter } from './testing/__testUtils__/realHttpRouter';

jest.setTimeout(60_000);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const MALLORY = 'user:default/mallory';

describe('createCallerRateLimit', () => {
  /** The limiter behind a stand-in for the permission check: `X-Test-Caller` is the caller's ref. */
  function app(trustProxy?: string) {
    const server = express();
    if (trustProxy) server.set('trust proxy', trustProxy);
    server.use((req, res, next) => {
      const caller = req.header('X-Test-Caller');
      if (caller) res.locals.caller = caller;
      next();
    });
    server.use(createCallerRateLimit({ perMinute: 2, what: 'test' }));
    server.get('/', (req, res) => res.json({ key: rateLimitKey(req, res) }));
    return server;
  }
  const call = (
    server: express.Express,
    caller: string | undefined,
    ip: string,
  ) => {
    const req = request(server).get('/').set('X-Forwarded-For', ip);
    return caller ? req.set('X-Test-Caller', caller) : req;
  };

  it('keys a user by entity ref, and a service or an anonymous caller by client address', async () => {
    const server = app('loopback');
    expect((await call(server, ALICE, '203.0.113.1')).body.key).toBe(ALICE);
    expect(
      (await call(server, 'service:external:slo', '203.0.113.1')).body.key,
    ).toBe('ip:203.0.113.1');
    expect((await call(server, undefined, '203.0.113.2')).body.key).toBe(
      'ip:203.0.113.2',
    );
  });

  it('gives services one budget per address: two services behind one address share it', async () => {
    const server = app('loopback');
    expect(
      (await call(server, 'service:plugin:slo', '203.0.113.1')).status,
    ).toBe(200);
    expect(
      (await call(server, 'service:plugin:evidence', '203.0.113.1')).status,
    ).toBe(200);
    expect(
      (await call(server, 'service:plugin:slo', '203.0.113.1')).status,
    ).toBe(429);
    expect(
      (await call(server, 'service:plugin:slo', '203.0.113.9')).status,
    ).toBe(200);
  });

  it('reads the address from X-Forwarded-For only when trust proxy is set', async () => {
    // express-rate-limit reports the unexpected header on the console.
    const consoleError = jest
      .spyOn(console, 'error')
      .mockImplementation(() => {});
    try {
      const server = app();
      expect((await call(server, undefined, '203.0.113.1')).status).toBe(200);
      expect((await call(server, undefined, '203.0.113.2')).status).toBe(200);
      // A forged header buys no fresh budget: both were the loopback address.
      expect((await call(server, undefined, '203.0.113.3')).status).toBe(429);
    } finally {
      consoleError.mockRestore();
    }
  });
});

/**
 * The plugin behind the root router a real backend runs, with
 * `backend.trustProxy: loopback` (supertest calls from 127.0.0.1, so
 * X-Forwarded-For names the client), two calls a minute, and a policy that
 * refuses mallory and allows everyone else. One backend for all the tests:
 * each test spends the budgets of users and addresses of its own.
 */
async function startLimitedPrivacy(dir: string) {
  const decide = (credentials: { principal: unknown }) => {
    const principal = credentials.principal as { userEntityRef?: string };
    return {
      result:
        principal.userEntityRef === MALLORY
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    } as const;
  };
  const permissions = createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: (): PermissionsService => ({
      authorize: async (requests, { credentials }) =>
        requests.map(() => decide(credentials)),
      authorizeConditional: async (requests, { credentials }) =>
        requests.map(() => decide(credentials)),
    }),
  });
  return startBehindRealHttpRouter([
    privacyPlugin,
    permissions,
    mockServices.discovery.factory(),
    catalogServiceMock.factory({ entities: [] }),
    mockServices.rootConfig.factory({
      data: {
        backend: { listen: { port: 0 }, trustProxy: 'loopback' },
        ops: {
          audit: { signingKey: TEST_AUDIT_KEY },
          queue: { driver: 'memory', workers: false },
          storage: { directory: join(dir, 'blobs') },
        },
        privacy: {
          identifiers: {
            key: { id: 'rate-ids', key: key32() },
            pepper: key32(),
          },
          intakeRateLimit: { perMinute: 2 },
          regions: {
            EU: {
              masterKey: { id: 'eu-1', key: key32() },
              storage: { directory: join(dir, 'EU') },
            },
          },
        },
      },
    }),
  ]);
}

describe('privacy rate limits, after authorization', () => {
  let dir: string;
  let server: Server;
  let n = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'privacy-rate-'));
    server = await startLimitedPrivacy(dir);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** One export intake, of a new subject each time, as `user` from `ip`. */
  const intake = (user: string, ip: string) =>
    request(server)
      .post('/api/privacy/export')
      .set('Authorization', mockCredentials.user.header(user))
      .set('X-Forwarded-For', ip)
      .send({
        subject: { id: `rate-subject-${n++}` },
        region: 'EU',
        jurisdiction: 'GDPR',
      });

  it('gives each signed-in user a budget of their own', async () => {
    const [carol, dave] = ['user:default/carol', 'user:default/dave'];
    const ip = '203.0.113.10';
    expect((await intake(carol, ip)).status).toBe(201);
    expect((await intake(carol, ip)).status).toBe(201);
    expect((await intake(carol, ip)).status).toBe(429);
    // Same address, another user: a budget of its own.
    expect((await intake(dave, ip)).status).toBe(201);
    expect((await intake(dave, ip)).status).toBe(201);
    expect((await intake(dave, ip)).status).toBe(429);
  });

  it('charges one user calling from two addresses to one budget', async () => {
    const erin = 'user:default/erin';
    expect((await intake(erin, '203.0.113.20')).status).toBe(201);
    expect((await intake(erin, '198.51.100.20')).status).toBe(201);
    expect((await intake(erin, '192.0.2.20')).status).toBe(429);
  });

  it('answers a refused caller 403 and spends no budget on it', async () => {
    const ip = '203.0.113.30';
    for (let i = 0; i < 5; i++) {
      expect((await intake(MALLORY, ip)).status).toBe(403);
    }
    // Her refused calls spent neither the address's budget nor anyone's.
    expect((await intake(ALICE, ip)).status).toBe(201);
    expect((await intake(ALICE, ip)).status).toBe(201);
    expect((await intake(ALICE, ip)).status).toBe(429);
    // Refused before the limiter: still 403, never 429.
    expect((await intake(MALLORY, ip)).status).toBe(403);
  });

  it('answers 429 with Retry-After and the RateLimit headers once over the limit', async () => {
    const frank = 'user:default/frank';
    const ip = '203.0.113.40';
    await intake(frank, ip).expect(201);
    const last = await intake(frank, ip).expect(201);
    expect(last.headers['ratelimit-policy']).toBe('2;w=60');
    const limited = await intake(frank, ip);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.error).toEqual({
      name: 'TooManyRequests',
      message: 'Too many intake requests; retry after the Retry-After header',
    });
  });

  it('counts other backends by client address, read from X-Forwarded-For under backend.trustProxy', async () => {
    const lookupAs = (service: string, ip: string) =>
      request(server)
        .post('/api/privacy/consent/lookup')
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(service),
            targetPluginId: 'privacy',
          }),
        )
        .set('X-Forwarded-For', ip)
        .send({ subject: { id: 'rate-subject-0' } });
    expect((await lookupAs('plugin:slo', '203.0.113.60')).status).toBe(200);
    expect((await lookupAs('plugin:slo', '203.0.113.60')).status).toBe(200);
    expect((await lookupAs('plugin:slo', '203.0.113.60')).status).toBe(429);
    // Another service behind the same address shares its budget ...
    expect((await lookupAs('plugin:evidence', '203.0.113.60')).status).toBe(
      429,
    );
    // ... and the same service from another address has a fresh one.
    expect((await lookupAs('plugin:slo', '203.0.113.61')).status).toBe(200);
  });

  it('keeps consent lookups on a budget apart from intake', async () => {
    const ip = '203.0.113.50';
    await intake(BOB, ip).expect(201);
    await intake(BOB, ip).expect(201);
    await intake(BOB, ip).expect(429);
    const lookup = () =>
      request(server)
        .post('/api/privacy/consent/lookup')
        .set('Authorization', mockCredentials.user.header(BOB))
        .set('X-Forwarded-For', ip)
        .send({ subject: { id: 'rate-subject-0' } });
    expect((await lookup()).status).toBe(200);
    expect((await lookup()).status).toBe(200);
    expect((await lookup()).status).toBe(429);
  });
});
