import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { LogTap, opsLogTapServiceRef } from '@internal/plugin-ops-node';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
// The real SLO plugin, for the end-to-end acceptance test only.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import sloPlugin from '@internal/plugin-slo-backend';
import request from 'supertest';
import { liveLog } from './__testUtils__/liveLog';
import { detectorScheduler } from './__testUtils__/detectorScheduler';
import { securityPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function eventually<T>(check: () => Promise<T>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise(r => setTimeout(r, 200));
    }
  }
}

/**
 * The acceptance of issue 13 in one backend: the real SLO plugin (its
 * notifiers on demo targets) and the security plugin; a brute force on the
 * backend's log stream ends in the SLO plugin's demo sink.
 */
describe.each(databases.eachSupportedId())(
  'brute force to the demo sink on %p',
  databaseId => {
    it('raises an alert that reaches the demo notifier sink, without the raw address', async () => {
      const tap = new LogTap();
      // Each plugin its own database (schema on PostgreSQL), as in the portal.
      const knex = await databases.init(databaseId);
      const database = databaseId.startsWith('POSTGRES')
        ? {
            client: 'pg',
            connection: knex.client.config.connection,
            pluginDivisionMode: 'schema',
          }
        : { client: 'better-sqlite3', connection: ':memory:' };
      const scheduler = detectorScheduler();
      const { server } = await startTestBackend({
        features: [
          sloPlugin,
          securityPlugin,
          scheduler.factory,
          createServiceFactory({
            service: opsLogTapServiceRef,
            deps: {},
            factory: () => tap,
          }),
          mockServices.database.factory(),
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.test' },
              backend: { database },
              ops: { audit: { signingKey: TEST_AUDIT_KEY } },
              slo: {
                notifications: {
                  targets: {
                    'oncall-pager': { type: 'demo' },
                    'ops-tickets': { type: 'demo' },
                  },
                  external: {
                    security: {
                      page: ['oncall-pager'],
                      ticket: ['ops-tickets'],
                    },
                  },
                },
              },
              security: { timezone: 'Europe/Berlin' },
            },
          }),
        ],
      });
      const { access } = await liveLog(tap);
      for (let i = 0; i < 5; i++) access({ ip: '203.0.113.66', status: 401 });

      const alert = await eventually(async () => {
        await scheduler.run();
        const res = await request(server).get('/api/security/alerts');
        expect(res.body.totalCount).toBe(1);
        return res.body.items[0];
      });
      const sink = await eventually(async () => {
        const res = await request(server).get('/api/slo/demo-sink');
        expect(res.body.totalCount).toBe(1);
        return res.body.items;
      });
      expect(sink[0].target).toBe('oncall-pager');
      expect(sink[0].request.body).toMatchObject({
        kind: 'external',
        source: 'security',
        alertId: alert.id,
        event: 'fired',
        severity: 'page',
        link: `http://portal.test/security/alerts/${alert.id}`,
        summary: expect.stringContaining('from 203.0.113.0/24'),
      });
      expect(JSON.stringify(sink)).not.toContain('203.0.113.66');
      await eventually(async () => {
        const res = await request(server).get(
          `/api/security/alerts/${alert.id}`,
        );
        expect(res.body.notification).toBe('sent');
      });
    });
  },
);
