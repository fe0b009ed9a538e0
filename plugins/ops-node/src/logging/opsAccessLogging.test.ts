import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { opsAccessLogging } from './opsAccessLogging';

/** An app that answers `/x` with 201 and a small JSON body, logged by both middlewares. */
function appWithBothLoggers(now: () => bigint) {
  const backstageLogger = mockServices.logger.mock();
  const opsLogger = mockServices.logger.mock();
  const app = express();
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: backstageLogger,
    }).logging(),
  );
  app.use(opsAccessLogging(opsLogger, { now }));
  app.get('/x', (_req, res) => {
    res.status(201).json({ ok: true });
  });
  return { app, backstageLogger, opsLogger };
}

describe('opsAccessLogging', () => {
  it("logs Backstage's message and meta, plus remoteAddr and durationMs", async () => {
    const ticks = [1_000_000_000n, 1_012_500_000n];
    const { app, backstageLogger, opsLogger } = appWithBothLoggers(
      () => ticks.shift()!,
    );

    await request(app)
      .get('/x?page=2')
      .set('User-Agent', 'probe/1.0')
      .set('Referer', 'https://portal.example.com/')
      .expect(201);

    expect(backstageLogger.info).toHaveBeenCalledTimes(1);
    expect(opsLogger.info).toHaveBeenCalledTimes(1);
    const [backstageMessage, backstageMeta] =
      backstageLogger.info.mock.calls[0];
    const [message, meta] = opsLogger.info.mock.calls[0];
    expect(message).toBe(backstageMessage);
    expect(message).toMatch(
      /^"GET \/x\?page=2 HTTP\/1\.1" 201 \d+ "https:\/\/portal\.example\.com\/" "probe\/1\.0"$/,
    );
    expect(meta).toEqual({
      ...backstageMeta,
      remoteAddr: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/),
      durationMs: 12.5,
    });
    expect(backstageMeta).toMatchObject({ type: 'incomingRequest' });
  });

  it('takes the client address from X-Forwarded-For only when express trusts the proxy', async () => {
    const addresses = async (trust: boolean) => {
      const logger = mockServices.logger.mock();
      const app = express();
      app.set('trust proxy', trust);
      app.use(opsAccessLogging(logger));
      app.get('/', (_req, res) => {
        res.end();
      });
      await request(app).get('/').set('X-Forwarded-For', '203.0.113.9');
      return logger.info.mock.calls[0][1] as Record<string, unknown>;
    };

    expect((await addresses(true))?.remoteAddr).toBe('203.0.113.9');
    expect((await addresses(false))?.remoteAddr).not.toBe('203.0.113.9');
  });

  it('logs a non-negative duration with the real clock', async () => {
    const logger = mockServices.logger.mock();
    const app = express();
    app.use(opsAccessLogging(logger));
    app.use((_req, res) => {
      res.status(404).end();
    });
    await request(app).get('/missing').expect(404);
    const meta = logger.info.mock.calls[0][1] as Record<string, unknown>;
    expect(meta).toMatchObject({ status: 404, url: '/missing' });
    expect(meta?.durationMs).toBeGreaterThanOrEqual(0);
  });
});
