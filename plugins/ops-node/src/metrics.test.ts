import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import { Registry } from 'prom-client';
import request from 'supertest';
import { addMetricsRoute, addScrapeTimeGauge } from './metrics';

describe('metrics', () => {
  it('serves gauges computed at scrape time, without a user token', async () => {
    const registry = new Registry();
    let jobs = [{ labels: { status: 'waiting' }, value: 3 }];
    addScrapeTimeGauge(registry, {
      name: 'test_queue_jobs',
      help: 'Jobs by status.',
      labelNames: ['status'],
      collect: async () => jobs,
    });
    const router = express.Router();
    const httpRouter = mockServices.httpRouter.mock();
    addMetricsRoute(router, httpRouter, registry);
    const app = express().use(router);

    const first = await request(app).get('/metrics').expect(200);
    expect(first.headers['content-type']).toContain('text/plain');
    expect(first.text).toContain('# TYPE test_queue_jobs gauge');
    expect(first.text).toContain('test_queue_jobs{status="waiting"} 3');
    expect(httpRouter.addAuthPolicy).toHaveBeenCalledWith({
      path: '/metrics',
      allow: 'unauthenticated',
    });

    // A status that is gone is gone from the next scrape, not stale.
    jobs = [{ labels: { status: 'active' }, value: 1 }];
    const second = await request(app).get('/metrics').expect(200);
    expect(second.text).not.toContain('status="waiting"');
    expect(second.text).toContain('test_queue_jobs{status="active"} 1');
  });
});
