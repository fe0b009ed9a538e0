import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { sloPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('slo backend on %p', databaseId => {
  async function start() {
    const knex = await databases.init(databaseId);
    const { server } = await startTestBackend({
      features: [sloPlugin, mockServices.database.factory({ knex })],
    });
    return { server, knex };
  }

  it('answers /health and an empty objective list on a new database', async () => {
    const { server } = await start();
    expect((await request(server).get('/api/slo/health')).status).toBe(200);
    const listed = await request(server).get('/api/slo/objectives');
    expect(listed.body).toEqual({
      items: [],
      totalCount: 0,
      limit: 25,
      offset: 0,
    });
  });

  it('lists objectives, filtered by entity and paged', async () => {
    const { server, knex } = await start();
    const row = (id: string, entityRef: string, name: string) => ({
      id,
      entity_ref: entityRef,
      name,
      target: 0.999,
      window_days: 30,
      created_at: new Date('2026-11-01T00:00:00Z'),
    });
    await knex('slo_objectives').insert([
      row('1', 'component:default/checkout', 'availability'),
      row('2', 'component:default/checkout', 'latency'),
      row('3', 'component:default/payments', 'availability'),
    ]);
    const checkout = await request(server).get(
      '/api/slo/objectives?entityRef=component:default/checkout&limit=1&offset=1',
    );
    expect(checkout.body.totalCount).toBe(2);
    expect(checkout.body.items).toEqual([
      expect.objectContaining({
        name: 'latency',
        target: 0.999,
        windowDays: 30,
      }),
    ]);
  });

  it('rejects a bad page size with 400', async () => {
    const { server } = await start();
    expect(
      (await request(server).get('/api/slo/objectives?limit=0')).status,
    ).toBe(400);
  });
});
