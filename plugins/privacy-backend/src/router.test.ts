import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { NotAllowedError } from '@backstage/errors';
import { createPermissionMiddleware } from '@internal/plugin-ops-node';
import {
  privacyAdminPermission,
  privacyRequestApprovePermission,
} from '@internal/plugin-privacy-common';
import type { BasicPermission } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { IdempotencyKeyReuseError } from './requests/IntakeService';
import { RouterOptions, createRouter } from './router';

const ID = '0b8f4c4e-5d6a-4c1e-9f4a-2d3b1c0a9e8f';
const CALLER = 'user:default/alice';

/** The router on mocked services; `denied` permissions answer 403. */
async function routerWith(denied: BasicPermission[] = []) {
  const services = {
    intake: { submit: jest.fn() },
    requests: {
      approve: jest.fn(),
      cancel: jest.fn(),
      retry: jest.fn(),
      extend: jest.fn(),
      placeHold: jest.fn(),
      releaseHold: jest.fn(),
    },
    reader: { list: jest.fn(), detail: jest.fn(), auditTrail: jest.fn() },
    exports: { download: jest.fn() },
    consent: { record: jest.fn(), state: jest.fn() },
    sla: { report: jest.fn(), sli: jest.fn() },
    audit: { verify: jest.fn() },
    queue: { counts: jest.fn() },
  };
  const allow = createPermissionMiddleware(async (_req, permission) => {
    if (denied.some(p => p.name === permission.name)) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: CALLER },
    };
  });
  const router = await createRouter({
    ...(services as unknown as Omit<RouterOptions, 'config' | 'allow'>),
    config: { intakeRateLimit: { perMinute: 1000 } },
    allow,
  });
  const errors = MiddlewareFactory.create({
    config: mockServices.rootConfig(),
    logger: mockServices.logger.mock(),
  });
  const app = express().use(router).use(errors.error());
  return { app, services };
}

describe('privacy router (services mocked)', () => {
  it('parses an intake, calls intake once with the caller, answers 201 for a new request', async () => {
    const { app, services } = await routerWith();
    services.intake.submit.mockResolvedValue({
      request: { id: ID },
      created: true,
    });
    const body = {
      subject: { id: 'customer-42' },
      region: 'EU',
      jurisdiction: 'GDPR',
    };
    const response = await request(app)
      .post('/export')
      .set('Idempotency-Key', 'k-1')
      .send(body);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: ID });
    expect(services.intake.submit).toHaveBeenCalledTimes(1);
    expect(services.intake.submit).toHaveBeenCalledWith(
      'export',
      { ...body, priority: 'NORMAL' },
      CALLER,
      { idempotencyKey: 'k-1' },
    );
  });

  it('answers 422 when an Idempotency-Key comes back with another body', async () => {
    const { app, services } = await routerWith();
    services.intake.submit.mockRejectedValue(new IdempotencyKeyReuseError());
    const response = await request(app)
      .post('/export')
      .set('Idempotency-Key', 'k-1')
      .send({ subject: { id: 'c-2' }, region: 'EU', jurisdiction: 'GDPR' });
    expect(response.status).toBe(422);
    expect(response.body.error.message).toContain('another body');
  });

  it('answers 400 for bad input and calls no service', async () => {
    const { app, services } = await routerWith();
    expect(
      (await request(app).post('/delete').send({ region: 'MARS' })).status,
    ).toBe(400);
    expect((await request(app).get('/requests/not-a-uuid')).status).toBe(400);
    expect(
      (await request(app).post(`/requests/${ID}/extend`).send({ reason: 'x' }))
        .status,
    ).toBe(400);
    expect((await request(app).get('/metrics/sli?type=export')).status).toBe(
      400,
    );
    for (const group of Object.values(services)) {
      for (const fn of Object.values(group)) expect(fn).not.toHaveBeenCalled();
    }
  });

  it('answers 403 when the policy denies, before any service call', async () => {
    const { app, services } = await routerWith([
      privacyRequestApprovePermission,
      privacyAdminPermission,
    ]);
    expect((await request(app).post(`/requests/${ID}/approve`)).status).toBe(
      403,
    );
    expect((await request(app).get('/audit/verify')).status).toBe(403);
    expect(services.requests.approve).not.toHaveBeenCalled();
    expect(services.audit.verify).not.toHaveBeenCalled();
  });

  it('reads a request at /requests/:id and at its alias /status/:id', async () => {
    const { app, services } = await routerWith();
    services.reader.detail.mockResolvedValue({ id: ID, state: 'queued' });
    for (const path of [`/requests/${ID}`, `/status/${ID}`]) {
      const response = await request(app).get(path);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ id: ID, state: 'queued' });
    }
    expect(services.reader.detail).toHaveBeenCalledWith(ID);
  });

  it('passes operator actions through with the caller', async () => {
    const { app, services } = await routerWith();
    services.requests.approve.mockResolvedValue({ id: ID, state: 'queued' });
    await request(app).post(`/requests/${ID}/approve`).expect(200);
    expect(services.requests.approve).toHaveBeenCalledWith(ID, CALLER);
    services.requests.extend.mockResolvedValue({ id: ID });
    await request(app)
      .post(`/requests/${ID}/extend`)
      .send({ reason: 'The subject holds three accounts' })
      .expect(200);
    expect(services.requests.extend).toHaveBeenCalledWith(
      ID,
      CALLER,
      'The subject holds three accounts',
    );
  });

  it('answers 410 for an expired download and serves a bundle as a zip', async () => {
    const { app, services } = await routerWith();
    services.exports.download.mockResolvedValueOnce({
      status: 'expired',
      expiresAt: '2026-11-01T00:00:00.000Z',
    });
    const gone = await request(app).get(`/exports/${ID}/download`);
    expect(gone.status).toBe(410);
    expect(gone.body.error.message).toContain('2026-11-01T00:00:00.000Z');
    services.exports.download.mockResolvedValueOnce({
      status: 'ok',
      requestId: ID,
      zip: Buffer.from('PK'),
    });
    const ok = await request(app).get(`/exports/${ID}/download`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/zip');
    expect(ok.headers['content-disposition']).toBe(
      `attachment; filename="dsar-export-${ID}.zip"`,
    );
    expect(services.exports.download).toHaveBeenCalledWith(ID, CALLER);
  });

  it('reads consent by subject and the SLI of a window', async () => {
    const { app, services } = await routerWith();
    services.consent.state.mockResolvedValue({ subjectId: 'c-1' });
    await request(app).get('/consent/c-1').expect(200);
    expect(services.consent.state).toHaveBeenCalledWith('c-1');
    services.sla.sli.mockResolvedValue({ good: 1, total: 2 });
    const sli = await request(app).get(
      '/metrics/sli?type=delete&region=US&windowMinutes=60',
    );
    expect(sli.body).toEqual({ good: 1, total: 2 });
    expect(services.sla.sli).toHaveBeenCalledWith({
      type: 'delete',
      region: 'US',
      windowMinutes: 60,
    });
  });
});
