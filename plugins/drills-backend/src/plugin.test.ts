import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { finishedDrillRunSchema } from '@internal/plugin-drills-common';
import { AuditChain } from '@internal/plugin-ops-node';
import {
  TEST_AUDIT_KEY,
  testAuditKeyring,
} from '@internal/plugin-ops-node/testing';
import { join } from 'node:path';
import request from 'supertest';
import { drillsPlugin } from './plugin';
import { DRILLS_AUDIT_TABLES, RunService } from './runs';
import { LEAD, testScenario } from './runs/__testUtils__/runTestServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const RUNBOOKS = join(__dirname, '../../../runbooks');

describe.each(databases.eachSupportedId())(
  'drills backend on %p',
  databaseId => {
    async function start(
      permission:
        | AuthorizeResult.ALLOW
        | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
    ) {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          drillsPlugin,
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({ result: permission }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.test' },
              ops: { audit: { signingKey: TEST_AUDIT_KEY } },
              drills: {
                runbooksDirectory: RUNBOOKS,
                calendar: {
                  timezone: 'Europe/Berlin',
                  rotationStart: '2026-01',
                },
              },
            },
          }),
        ],
      });
      return { server, knex };
    }

    it('answers /health, an empty run list, and refuses readers without the permission', async () => {
      const { server } = await start();
      expect((await request(server).get('/api/drills/health')).status).toBe(
        200,
      );
      expect(
        (await request(server).get('/api/drills/runs')).body.totalCount,
      ).toBe(0);
      const denied = await start(AuthorizeResult.DENY);
      expect(
        (await request(denied.server).get('/api/drills/runs')).status,
      ).toBe(403);
    });

    it('serves the runbooks of runbooks/, with the six rotating scenarios', async () => {
      const { server } = await start();
      const res = await request(server).get('/api/drills/runbooks');
      expect(res.status).toBe(200);
      expect(res.body.problems).toEqual([]);
      const scenarios = res.body.runbooks
        .filter((r: { kind: string }) => r.kind === 'scenario')
        .map((r: { id: string }) => r.id)
        .sort();
      expect(scenarios).toEqual([
        'bad-deploy-rollback',
        'database-failure-restore',
        'full-disaster-recovery',
        'key-rotation',
        'regional-failover',
        'security-incident-response',
      ]);
      const one = await request(server).get(
        '/api/drills/runbooks/bad-deploy-rollback',
      );
      expect(one.body.markdown).toMatch(/rollout undo/);
      expect(
        (await request(server).get('/api/drills/runbooks/nope')).status,
      ).toBe(404);
    });

    it('computes the calendar of the next 12 months on first Tuesdays, and its iCalendar feed', async () => {
      const { server } = await start();
      const res = await request(server).get('/api/drills/calendar');
      expect(res.body.entries).toHaveLength(12);
      for (const entry of res.body.entries) {
        const day = new Date(entry.startsAt);
        expect(day.getUTCDay()).toBe(2);
        expect(day.getUTCDate()).toBeLessThanOrEqual(7);
      }
      const ics = await request(server).get('/api/drills/calendar.ics');
      expect(ics.headers['content-type']).toContain('text/calendar');
      expect(ics.text).toContain('BEGIN:VCALENDAR');
      expect(ics.text.match(/BEGIN:VEVENT/g)).toHaveLength(12);
    });

    it('lists finished runs in the shape the evidence plugin files', async () => {
      const { server, knex } = await start();
      const runs = new RunService({
        db: knex,
        audit: new AuditChain({
          db: knex,
          tables: DRILLS_AUDIT_TABLES,
          keyring: testAuditKeyring(),
        }),
      });
      const run = await runs.start({
        scenario: testScenario(),
        lead: LEAD,
        participants: [],
        startedBy: LEAD,
      });
      await runs.reachCheckpoint(run.id, 'paged', LEAD);
      await runs.finish(run.id, LEAD);
      const res = await request(server).get(
        `/api/drills/runs?state=finished&finishedAfter=2020-01-01T00:00:00Z&finishedBefore=2099-01-01T00:00:00Z`,
      );
      expect(res.status).toBe(200);
      expect(res.body.totalCount).toBe(1);
      const item = finishedDrillRunSchema.parse(res.body.items[0]);
      expect(item).toMatchObject({
        id: run.id,
        state: 'finished',
        lead: LEAD,
        reportUrl: `http://portal.test/drills/runs/${run.id}/report`,
      });
      expect(item.checkpoints.find(c => c.id === 'paged')?.passed).toBe(true);
    });
  },
);
