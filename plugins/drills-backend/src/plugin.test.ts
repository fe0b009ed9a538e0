import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { drillsPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'drills backend on %p',
  databaseId => {
    async function start() {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [drillsPlugin, mockServices.database.factory({ knex })],
      });
      return { server, knex };
    }

    it('answers /health and an empty run list on a new database', async () => {
      const { server } = await start();
      expect((await request(server).get('/api/drills/health')).status).toBe(
        200,
      );
      expect(
        (await request(server).get('/api/drills/runs')).body.totalCount,
      ).toBe(0);
    });

    it('lists runs by state, most recently scheduled first', async () => {
      const { server, knex } = await start();
      const run = (
        id: string,
        state: string,
        scheduledFor: string,
        startedAt: string | null,
      ) => ({
        id,
        scenario_id: 'database-failover',
        state,
        lead: 'user:default/dave',
        scheduled_for: new Date(scheduledFor),
        started_at: startedAt ? new Date(startedAt) : null,
        completed_at: null,
      });
      await knex('drill_runs').insert([
        run('a', 'completed', '2026-10-01T09:00:00Z', '2026-10-01T09:05:00Z'),
        run('b', 'scheduled', '2026-12-01T09:00:00Z', null),
        run('c', 'completed', '2026-11-01T09:00:00Z', '2026-11-01T09:02:00Z'),
      ]);
      const completed = await request(server).get(
        '/api/drills/runs?state=completed',
      );
      expect(completed.body.items.map((r: { id: string }) => r.id)).toEqual([
        'c',
        'a',
      ]);
      expect(completed.body.items[0]).toMatchObject({
        startedAt: '2026-11-01T09:02:00.000Z',
        completedAt: null,
      });
      expect(
        (await request(server).get('/api/drills/runs?state=bogus')).status,
      ).toBe(400);
    });
  },
);
