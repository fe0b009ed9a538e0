import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { LogTap, opsLogTapServiceRef } from '@internal/plugin-ops-node';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import type { Knex } from 'knex';
import request from 'supertest';
import { liveLog } from './__testUtils__/liveLog';
import { detectorScheduler } from './__testUtils__/detectorScheduler';
import { securityPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

type ConfigData = NonNullable<
  NonNullable<Parameters<typeof mockServices.rootConfig.factory>[0]>['data']
>;

/** Polls until `check` passes (the pipeline and the outbox work in the background). */
async function eventually<T>(check: () => Promise<T>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise(r => setTimeout(r, 100));
    }
  }
}

const FIREFOX =
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

const tapFactory = (tap: LogTap) =>
  createServiceFactory({
    service: opsLogTapServiceRef,
    deps: {},
    factory: () => tap,
  });

describe.each(databases.eachSupportedId())(
  'security backend on %p',
  databaseId => {
    async function start(
      options: {
        permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
        security?: ConfigData;
        knex?: Knex;
      } = {},
    ) {
      const knex = options.knex ?? (await databases.init(databaseId));
      const tap = new LogTap();
      const scheduler = detectorScheduler();
      const { server } = await startTestBackend({
        features: [
          securityPlugin,
          scheduler.factory,
          tapFactory(tap),
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({
            result: options.permission ?? AuthorizeResult.ALLOW,
          }),
          mockServices.rootConfig.factory({
            data: {
              ops: { audit: { signingKey: TEST_AUDIT_KEY } },
              security: {
                notifications: { enabled: false },
                ...options.security,
              },
            },
          }),
        ],
      });
      const log = await liveLog(tap);
      return { server, knex, detect: scheduler.run, ...log };
    }

    /** A brute force on the tap; resolves with the stored alert. */
    async function bruteForce(
      server: Awaited<ReturnType<typeof start>>['server'],
      access: Awaited<ReturnType<typeof start>>['access'],
      detect: () => Promise<void>,
    ) {
      for (let i = 0; i < 5; i++) {
        access({ ip: '203.0.113.7', status: 401, userAgent: FIREFOX });
      }
      return eventually(async () => {
        await detect();
        const res = await request(server).get('/api/security/alerts');
        expect(res.body.totalCount).toBe(1);
        return res.body.items[0];
      });
    }

    it('raises an alert from the live stream and serves it with its events', async () => {
      const { server, access, detect } = await start();
      expect((await request(server).get('/api/security/health')).body).toEqual({
        status: 'ok',
      });
      const alert = await bruteForce(server, access, detect);
      expect(alert).toMatchObject({
        ruleId: 'brute-force',
        status: 'open',
        severity: 'high',
        groupKey: '203.0.113.7',
        notification: 'off',
      });
      const detail = await request(server).get(
        `/api/security/alerts/${alert.id}`,
      );
      expect(detail.status).toBe(200);
      expect(detail.body.events).toHaveLength(5);
      expect(detail.body.events[0]).toMatchObject({
        source: { ip: '203.0.113.7' },
        user_agent: { original: FIREFOX, name: 'Firefox' },
      });

      const pipeline = await request(server).get('/api/security/pipeline');
      expect(pipeline.body).toMatchObject({ events: 5, alerts: 1, dropped: 0 });
      const rules = await request(server).get('/api/security/rules');
      expect(rules.body.rules.map((r: { id: string }) => r.id)).toEqual([
        'brute-force',
        'privileged-after-hours',
        'dsar-abuse',
        'export-anomaly',
      ]);
      const summary = await request(server).get('/api/security/summary?days=7');
      expect(summary.body.days).toHaveLength(7);
      expect(summary.body.open).toBe(1);

      const metrics = await request(server).get('/api/security/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain(
        'security_alerts{rule="brute-force",severity="high",status="open"} 1',
      );
      expect(metrics.text).toContain('security_pipeline_events 5');
      expect(metrics.text).not.toContain('203.0.113');
    });

    it('changes status with the caller as author, and refuses bad input changing nothing', async () => {
      const { server, access, knex, detect } = await start();
      const alert = await bruteForce(server, access, detect);
      const path = `/api/security/alerts/${alert.id}/status`;
      const bad = [
        request(server).post(path).send({ status: 'closed' }),
        request(server).post(path).send({ status: 'gone', note: 'x' }),
        request(server).post(path).send({ status: 'closed', note: ' ' }),
        request(server)
          .post(path)
          .send({ status: 'closed', note: 'x', extra: 1 }),
        request(server)
          .post(path)
          .set('content-type', 'application/json')
          .send('{"status":'),
        request(server)
          .post('/api/security/alerts/not-a-uuid/status')
          .send({ status: 'closed', note: 'x' }),
      ];
      for (const res of await Promise.all(bad)) expect(res.status).toBe(400);
      const missing = await request(server)
        .post(
          '/api/security/alerts/00000000-0000-4000-8000-000000000000/status',
        )
        .send({ status: 'closed', note: 'x' });
      expect(missing.status).toBe(404);
      // A service may read but not manage.
      const service = await request(server)
        .post(path)
        .set('Authorization', mockCredentials.service.header())
        .send({ status: 'closed', note: 'x' });
      expect(service.status).toBe(403);
      expect(
        await knex('security_alerts').where({ id: alert.id }).first(),
      ).toMatchObject({ status: 'open', status_by: null });
      expect(await knex('security_audit_pending').count({ n: '*' })).toEqual([
        { n: expect.anything() },
      ]);
      expect(
        Number((await knex('security_audit_pending').count({ n: '*' }))[0].n) +
          Number((await knex('security_audit_events').count({ n: '*' }))[0].n),
      ).toBe(0);

      const res = await request(server)
        .post(path)
        .send({ status: 'acknowledged', note: 'on it' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'acknowledged',
        statusChange: {
          by: mockCredentials.user().principal.userEntityRef,
          note: 'on it',
        },
      });
      const again = await request(server)
        .post(path)
        .send({ status: 'acknowledged', note: 'on it' });
      expect(again.status).toBe(409);

      for (const query of [
        'status=nope',
        'limit=0',
        'offset=-1',
        'ruleId=Brute Force',
        'sort=x',
      ]) {
        expect(
          (await request(server).get(`/api/security/alerts?${query}`)).status,
        ).toBe(400);
      }
      expect(
        (await request(server).get('/api/security/summary?days=0')).status,
      ).toBe(400);
      expect(
        (
          await request(server).get(
            '/api/security/alerts?status=acknowledged&severity=high&ruleId=brute-force',
          )
        ).body.totalCount,
      ).toBe(1);
    });

    it('refuses readers and managers without the permissions', async () => {
      const { server, access, knex, detect } = await start({
        permission: AuthorizeResult.DENY,
      });
      for (const path of ['/alerts', '/summary', '/rules', '/pipeline']) {
        expect((await request(server).get(`/api/security${path}`)).status).toBe(
          403,
        );
      }
      for (let i = 0; i < 5; i++) access({ ip: '203.0.113.7', status: 401 });
      const id = await eventually(async () => {
        await detect();
        const row = await knex('security_alerts').first();
        expect(row).toBeDefined();
        return row.id;
      });
      expect(
        (await request(server).get(`/api/security/alerts/${id}`)).status,
      ).toBe(403);
      const res = await request(server)
        .post(`/api/security/alerts/${id}/status`)
        .send({ status: 'closed', note: 'x' });
      expect(res.status).toBe(403);
      expect((await knex('security_alerts').first()).status).toBe('open');
      // Metrics and health stay open (counts only).
      expect((await request(server).get('/api/security/metrics')).status).toBe(
        200,
      );
    });

    it('seeds demo alerts once, on an empty table only', async () => {
      const first = await start({ security: { demo: { enabled: true } } });
      const list = await request(first.server).get('/api/security/alerts');
      expect(list.body.totalCount).toBe(3);
      expect(list.body.items.every((a: { demo?: boolean }) => a.demo)).toBe(
        true,
      );
      expect(
        list.body.items.map((a: { ruleId: string }) => a.ruleId).sort(),
      ).toEqual(['brute-force', 'dsar-abuse', 'privileged-after-hours']);
      const detail = await request(first.server).get(
        `/api/security/alerts/${list.body.items[0].id}`,
      );
      expect(detail.body.events[0].labels).toMatchObject({ demo: 'true' });
      const again = await start({
        security: { demo: { enabled: true } },
        knex: first.knex,
      });
      expect(
        (await request(again.server).get('/api/security/alerts')).body
          .totalCount,
      ).toBe(3);
    });

    it('refuses bad config with a message naming the key', async () => {
      await expect(
        start({ security: { timezone: 'Mars/Olympus' } }),
      ).rejects.toThrow(/security\.timezone: must be an IANA time zone/);
      await expect(
        start({ security: { rules: [{ id: 'x' }] } }),
      ).rejects.toThrow(/Invalid configuration at security\.rules\.0\./);
      await expect(
        start({ security: { queue: { maxEntries: 0 } } }),
      ).rejects.toThrow(/security\.queue\.maxEntries/);
    });
  },
);
