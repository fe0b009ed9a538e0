import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { resolve as resolvePath } from 'node:path';
import type { IdentifierProtection } from './identifiers';
import { RequestStore } from './requests/RequestStore';
import { SLI_TOPIC, lastWindow, publishSli } from './sliPublisher';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const migrationsDir = resolvePath(__dirname, '../migrations');

/** Identifiers in the clear: this test is about counting, not protection. */
const plainIdentifiers: IdentifierProtection = {
  hash: id => `h-${id}`,
  encrypt: text => text,
  decrypt: value => value,
};

const MIN = 60_000;
const H = 60 * MIN;
const now = new Date('2026-11-26T12:07:30Z');

describe('lastWindow', () => {
  it('is the last whole five minutes before now', () => {
    expect(lastWindow(now)).toEqual({
      start: new Date('2026-11-26T12:00:00Z'),
      end: new Date('2026-11-26T12:05:00Z'),
    });
  });
});

describe.each(databases.eachSupportedId())('publishSli on %p', databaseId => {
  async function storeWith(
    id: TestDatabaseId,
    requests: Array<{
      subject: string;
      region: 'EU' | 'US';
      createdAt: Date;
      slaDueAt: Date;
      completedAt: Date | null;
      state: 'completed' | 'queued' | 'canceled';
    }>,
  ) {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrationsDir });
    const store = new RequestStore(knex, plainIdentifiers);
    for (const r of requests) {
      const row = store.newRow({
        id: `req-${r.subject}`,
        type: 'export',
        state: r.state,
        subjectId: r.subject,
        region: r.region,
        jurisdiction: 'GDPR',
        priority: 5,
        requester: 'user:default/a',
        createdAt: r.createdAt,
        slaDueAt: r.slaDueAt,
        legalDueAt: new Date(r.createdAt.getTime() + 30 * 24 * H),
      });
      await store.insertQuery([{ ...row, completed_at: r.completedAt }]);
    }
    return store;
  }

  it('pushes the good and total of the last window for every type and region', async () => {
    // Window [12:00, 12:05).
    const store = await storeWith(databaseId, [
      // completed in the window, within its SLA: good
      {
        subject: 'a',
        region: 'EU',
        createdAt: new Date('2026-11-26T10:00:00Z'),
        slaDueAt: new Date('2026-11-27T10:00:00Z'),
        completedAt: new Date('2026-11-26T12:01:00Z'),
        state: 'completed',
      },
      // completed in the window, after its SLA: bad
      {
        subject: 'b',
        region: 'EU',
        createdAt: new Date('2026-11-25T11:00:00Z'),
        slaDueAt: new Date('2026-11-26T11:00:00Z'),
        completedAt: new Date('2026-11-26T12:02:00Z'),
        state: 'completed',
      },
      // reaches its SLA in the window unfinished: bad
      {
        subject: 'c',
        region: 'US',
        createdAt: new Date('2026-11-25T12:03:00Z'),
        slaDueAt: new Date('2026-11-26T12:03:00Z'),
        completedAt: null,
        state: 'queued',
      },
      // completed before the window: not counted
      {
        subject: 'd',
        region: 'EU',
        createdAt: new Date('2026-11-26T09:00:00Z'),
        slaDueAt: new Date('2026-11-27T09:00:00Z'),
        completedAt: new Date('2026-11-26T11:59:00Z'),
        state: 'completed',
      },
      // canceled: never counted
      {
        subject: 'e',
        region: 'US',
        createdAt: new Date('2026-11-25T12:04:00Z'),
        slaDueAt: new Date('2026-11-26T12:04:00Z'),
        completedAt: null,
        state: 'canceled',
      },
    ]);
    const published: Array<{ topic: string; eventPayload: any }> = [];
    await publishSli({
      store,
      events: { publish: async params => void published.push(params) },
      objective: 0.95,
      now,
    });

    expect(published).toHaveLength(8);
    expect(new Set(published.map(p => p.topic))).toEqual(new Set([SLI_TOPIC]));
    const sample = (type: string, region: string) =>
      published
        .map(p => p.eventPayload)
        .find(p => p.type === type && p.region === region);
    expect(sample('export', 'EU')).toEqual({
      source: 'privacy',
      sli: 'dsar_completed_within_sla',
      type: 'export',
      region: 'EU',
      good: 1,
      total: 2,
      objective: 0.95,
      windowStart: '2026-11-26T12:00:00.000Z',
      windowEnd: '2026-11-26T12:05:00.000Z',
    });
    expect(sample('export', 'US')).toMatchObject({ good: 0, total: 1 });
    expect(sample('delete', 'APAC')).toMatchObject({ good: 0, total: 0 });
  });
});
