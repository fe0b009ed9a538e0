import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { NotAllowedError } from '@backstage/errors';
import { createPermissionMiddleware } from '@internal/plugin-ops-node';
import {
  privacyAdminPermission,
  privacyOverviewReadPermission,
  privacyRequestApprovePermission,
  privacyRequestReadPermission,
} from '@internal/plugin-privacy-common';
import type { Permission } from '@backstage/plugin-permission-common';
import express from 'express';
import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import { IdempotencyKeyReuseError } from './requests/IntakeService';
import { FULL_SCOPE } from './requestPermissions';
import { RouterOptions, createRouter } from './router';

const ID = '0b8f4c4e-5d6a-4c1e-9f4a-2d3b1c0a9e8f';
const CALLER = 'user:default/alice';

/** The router on mocked services; `denied` permissions answer 403. */
async function routerWith(denied: Permission[] = []) {
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
    sources: { report: jest.fn() },
  };
  const refuse = (permission: Permission) => {
    if (denied.some(p => p.name === permission.name)) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
  };
  // Request permissions all or nothing here; conditions are tested through
  // the real permission backend (packages/backend privacyPermissionMatrix).
  const requestAccess = {
    readScope: jest.fn(async () => {
      refuse(privacyRequestReadPermission);
      return { caller: CALLER, scope: FULL_SCOPE };
    }),
    check: jest.fn(async (_req: unknown, permission: Permission) => {
      refuse(permission);
      return { caller: CALLER, scope: FULL_SCOPE };
    }),
    present: jest.fn(async (_req: unknown, value: unknown) => value),
  };
  const allow = createPermissionMiddleware(async (_req, permission) => {
    refuse(permission);
    return {
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: CALLER },
    };
  });
  const router = await createRouter({
    ...(services as unknown as Omit<RouterOptions, 'config' | 'allow'>),
    config: { intakeRateLimit: { perMinute: 1000 } },
    allow,
    requestAccess: requestAccess as unknown as RouterOptions['requestAccess'],
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
    const deep = await request(app).get('/requests?offset=10001');
    expect(deep.status).toBe(400);
    expect(deep.body.error.message).toBe(
      'Invalid input: offset: at most 10000; narrow the list with its filters, or sort it the other way, to reach rows beyond',
    );
    for (const body of [{}, { subject: {} }, { subject: { id: '' } }]) {
      expect(
        (await request(app).post('/consent/lookup').send(body)).status,
      ).toBe(400);
    }
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
    expect(services.reader.detail).toHaveBeenCalledWith(ID, {
      caller: CALLER,
      scope: FULL_SCOPE,
    });
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
      zip: Readable.from([Buffer.from('PK')]),
    });
    const ok = await request(app).get(`/exports/${ID}/download`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/zip');
    expect(ok.headers['content-disposition']).toBe(
      `attachment; filename="dsar-export-${ID}.zip"`,
    );
    expect(services.exports.download).toHaveBeenCalledWith(ID, CALLER);
  });

  it('answers 410 Gone for a bundle deleted by an erasure or the purge', async () => {
    const { app, services } = await routerWith();
    services.exports.download.mockResolvedValueOnce({
      status: 'deleted',
      deletedAt: '2026-12-01T10:00:00.000Z',
      reason: 'erased',
    });
    const erased = await request(app).get(`/exports/${ID}/download`);
    expect(erased.status).toBe(410);
    expect(erased.body.error).toEqual({
      name: 'Gone',
      message:
        'The export bundle was deleted at 2026-12-01T10:00:00.000Z (the subject was erased)',
    });
    services.exports.download.mockResolvedValueOnce({
      status: 'deleted',
      deletedAt: '2026-12-09T10:00:00.000Z',
      reason: 'expired',
    });
    const purged = await request(app).get(`/exports/${ID}/download`);
    expect(purged.status).toBe(410);
    expect(purged.body.error.message).toContain('its link expired');
  });

  it('pipes the bundle to the response and cuts the response off when the bundle stream fails', async () => {
    const { app, services } = await routerWith();
    const big = Buffer.alloc(3 * 64 * 1024, 1);
    services.exports.download.mockResolvedValueOnce({
      status: 'ok',
      requestId: ID,
      zip: Readable.from([big.subarray(0, 64 * 1024), big.subarray(64 * 1024)]),
    });
    const whole = await request(app)
      .get(`/exports/${ID}/download`)
      .buffer(true)
      .parse(collectBody);
    expect(whole.status).toBe(200);
    expect(whole.body.equals(big)).toBe(true);

    // The stream errors after its first chunk went out (a bundle failing
    // its check): the client must not receive a complete response.
    const failing = new PassThrough();
    services.exports.download.mockResolvedValueOnce({
      status: 'ok',
      requestId: ID,
      zip: failing,
    });
    failing.write(big.subarray(0, 1024));
    setTimeout(
      () => failing.destroy(new Error('segment 1 failed authentication')),
      50,
    );
    await expect(
      request(app)
        .get(`/exports/${ID}/download`)
        .buffer(true)
        .parse(collectBody),
    ).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
  });

  it('reads consent by subject and the SLI of a window', async () => {
    const { app, services } = await routerWith();
    services.consent.state.mockResolvedValue({ subjectId: 'c-1' });
    await request(app)
      .post('/consent/lookup')
      .send({ subject: { id: 'c-1' } })
      .expect(200);
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

  it('serves the sources report at /sources/drift to readers only', async () => {
    const { app, services } = await routerWith();
    const report = { checkedAt: 'now', sources: [], flags: [] };
    services.sources.report.mockResolvedValue(report);
    expect((await request(app).get('/sources/drift').expect(200)).body).toEqual(
      report,
    );
    const denied = await routerWith([privacyOverviewReadPermission]);
    expect((await request(denied.app).get('/sources/drift')).status).toBe(403);
    expect(denied.services.sources.report).not.toHaveBeenCalled();
  });
});

/** Collects a response body as one Buffer, whatever its content type. */
function collectBody(
  res: request.Response,
  callback: (error: Error | null, body: Buffer) => void,
) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
  res.on('error', error => callback(error as Error, Buffer.concat(chunks)));
}
