import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { Permission } from '@backstage/plugin-permission-common';
import { createPermissionMiddleware } from '@internal/plugin-ops-node';
import {
  sloReadPermission,
  sloSamplesPushPermission,
} from '@internal/plugin-slo-common';
import express from 'express';
import request from 'supertest';
import { RouterOptions, createRouter } from './router';

const NOW = new Date('2026-12-02T10:00:30Z');
const KNOWN = 'checkout:availability/eu-west-1';

/**
 * The statuses the backend's error middleware gives these errors (the
 * package does not depend on @backstage/backend-defaults, which has it);
 * body-parser's own errors carry their status.
 */
/** The router on mocked services; `denied` permissions answer 403. */
async function routerWith(denied: Permission[] = []) {
  const samples = {
    push: jest.fn(async (ref: string, minutes: unknown[]) => {
      if (ref !== KNOWN) throw new NotFoundError(`No objective '${ref}'`);
      return { stored: minutes.length };
    }),
    read: jest.fn(async (ref: string, range: { from: Date; to: Date }) => {
      if (ref !== KNOWN) throw new NotFoundError(`No objective '${ref}'`);
      return {
        objectiveRef: ref,
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        minutes: [],
      };
    }),
  };
  const objectives = { list: jest.fn() };
  const alerts = {
    list: jest.fn(),
    acknowledge: jest.fn(),
    silence: jest.fn(),
  };
  const allow = createPermissionMiddleware(async (_req, permission) => {
    if (denied.some(p => p.name === permission.name)) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'service', subject: 'plugin:catalog' },
    };
  });
  const router = await createRouter({
    objectives: objectives as unknown as RouterOptions['objectives'],
    samples: samples as unknown as RouterOptions['samples'],
    alerts: alerts as unknown as RouterOptions['alerts'],
    allow,
    now: () => NOW,
  });
  const errors = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  const app = express().use(router).use(errors.error());
  return { app, samples };
}

const path = (ref: string) => `/objectives/${encodeURIComponent(ref)}/samples`;
const body = {
  samples: [
    { timestamp: '2026-12-02T09:58:00Z', good: 9, total: 10 },
    { timestamp: '2026-12-02T09:59:00Z', good: 10, total: 10 },
  ],
};

describe('POST /objectives/:ref/samples', () => {
  it('stores a batch for a URL-encoded ref with : and / in it', async () => {
    const { app, samples } = await routerWith();
    expect(path(KNOWN)).toBe(
      '/objectives/checkout%3Aavailability%2Feu-west-1/samples',
    );
    const res = await request(app).post(path(KNOWN)).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stored: 2 });
    expect(samples.push).toHaveBeenCalledWith(KNOWN, [
      { minute: new Date('2026-12-02T09:58:00Z'), good: 9, total: 10 },
      { minute: new Date('2026-12-02T09:59:00Z'), good: 10, total: 10 },
    ]);
  });

  it('answers 400 naming the bad sample, and stores nothing', async () => {
    const { app, samples } = await routerWith();
    const res = await request(app)
      .post(path(KNOWN))
      .send({
        samples: [
          ...body.samples,
          { timestamp: '2026-12-02T09:57:00Z', good: 1, total: 1 },
          { timestamp: '2026-12-02T10:00:00Z', good: 2, total: 1 },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Invalid input: samples[2].timestamp: is before samples[1] (timestamps must increase); samples[3].good: must not exceed total',
    );
    expect(samples.push).not.toHaveBeenCalled();
  });

  it.each([
    [
      'a negative count',
      { timestamp: '2026-12-02T09:58:00Z', good: -1, total: 1 },
    ],
    [
      'a minute not whole',
      { timestamp: '2026-12-02T09:58:01Z', good: 1, total: 1 },
    ],
    [
      'a minute in the future',
      { timestamp: '2026-12-02T10:05:00Z', good: 1, total: 1 },
    ],
  ])('answers 400 for %s', async (_what, sample) => {
    const { app, samples } = await routerWith();
    const res = await request(app)
      .post(path(KNOWN))
      .send({ samples: [sample] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid input: samples\[0\]\./);
    expect(samples.push).not.toHaveBeenCalled();
  });

  it('answers 400 for a body that is not JSON of the shape', async () => {
    const { app, samples } = await routerWith();
    expect((await request(app).post(path(KNOWN)).send([1, 2])).status).toBe(
      400,
    );
    expect(
      (
        await request(app)
          .post(path(KNOWN))
          .set('Content-Type', 'application/json')
          .send('{"samples": [')
      ).status,
    ).toBe(400);
    expect(samples.push).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown objective', async () => {
    const { app } = await routerWith();
    const res = await request(app).post(path('nobody:here/x')).send(body);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe("No objective 'nobody:here/x'");
  });

  it('answers 403 without the push permission, and calls nothing', async () => {
    const { app, samples } = await routerWith([sloSamplesPushPermission]);
    const res = await request(app).post(path(KNOWN)).send(body);
    expect(res.status).toBe(403);
    expect(samples.push).not.toHaveBeenCalled();
  });
});

describe('GET /objectives/:ref/samples', () => {
  it('reads a range for a URL-encoded ref', async () => {
    const { app, samples } = await routerWith();
    const res = await request(app)
      .get(path(KNOWN))
      .query({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      objectiveRef: KNOWN,
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      minutes: [],
    });
    expect(samples.read).toHaveBeenCalledWith(KNOWN, {
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2026-12-02T00:00:00Z'),
    });
  });

  it('answers 400 beyond 31 days', async () => {
    const { app, samples } = await routerWith();
    const res = await request(app)
      .get(path(KNOWN))
      .query({ from: '2026-10-01T00:00:00Z', to: '2026-12-02T00:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/longer than 31 days/);
    expect(samples.read).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown objective', async () => {
    const { app } = await routerWith();
    expect((await request(app).get(path('nope'))).status).toBe(404);
  });

  it('answers 403 without the read permission', async () => {
    const { app, samples } = await routerWith([sloReadPermission]);
    expect((await request(app).get(path(KNOWN))).status).toBe(403);
    expect(samples.read).not.toHaveBeenCalled();
  });
});
