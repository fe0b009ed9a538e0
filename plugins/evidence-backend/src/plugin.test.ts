import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { evidencePlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'evidence backend on %p',
  databaseId => {
    async function start() {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [evidencePlugin, mockServices.database.factory({ knex })],
      });
      return { server, knex };
    }

    const item = (id: string, criterion: string, collectedAt: string) => ({
      id,
      criterion,
      title: `evidence ${id}`,
      source: 'test',
      sha256: 'a'.repeat(64),
      collected_at: new Date(collectedAt),
      retain_until: new Date('2033-11-01T00:00:00Z'),
    });

    it('shows all nine criteria with zero evidence on a new database', async () => {
      const { server } = await start();
      const coverage = await request(server).get('/api/evidence/coverage');
      expect(coverage.status).toBe(200);
      expect(coverage.body.criteria.map((c: { id: string }) => c.id)).toEqual([
        'CC1',
        'CC2',
        'CC3',
        'CC4',
        'CC5',
        'CC6',
        'CC7',
        'CC8',
        'CC9',
      ]);
      expect(
        coverage.body.criteria.every(
          (c: { itemCount: number }) => c.itemCount === 0,
        ),
      ).toBe(true);
    });

    it('counts coverage from evidence rows and lists items newest first', async () => {
      const { server, knex } = await start();
      await knex('evidence_items').insert([
        item('1', 'CC6', '2026-10-01T00:00:00Z'),
        item('2', 'CC6', '2026-11-01T00:00:00Z'),
        item('3', 'CC8', '2026-09-01T00:00:00Z'),
      ]);
      const coverage = await request(server).get('/api/evidence/coverage');
      const cc6 = coverage.body.criteria.find(
        (c: { id: string }) => c.id === 'CC6',
      );
      expect(cc6).toEqual({
        id: 'CC6',
        title: 'Logical and physical access controls',
        itemCount: 2,
        lastCollectedAt: '2026-11-01T00:00:00.000Z',
      });

      const listed = await request(server).get(
        '/api/evidence/evidence?criterion=CC6',
      );
      expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([
        '2',
        '1',
      ]);
      expect(
        (await request(server).get('/api/evidence/evidence?criterion=CC10'))
          .status,
      ).toBe(400);
    });
  },
);
