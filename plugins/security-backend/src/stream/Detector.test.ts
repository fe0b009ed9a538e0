import { TestDatabases } from '@backstage/backend-test-utils';
import type { EcsDocument } from '@internal/plugin-security-node';
import {
  migrate,
  rollbackAll,
  storeServices,
} from '../__testUtils__/storeServices';
import { detector, replica } from '../__testUtils__/streamServices';
import { SECURITY_ALERTS_TABLE } from '../alerts';
import { EventStream, SECURITY_STREAM_EVENTS_TABLE } from './EventStream';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const HOUR = 60 * 60 * 1000;

describe.each(databases.eachSupportedId())(
  'Detector over the shared stream on %p',
  databaseId => {
    async function setup() {
      const services = await storeServices(databases, databaseId);
      const { clock, store } = services;
      const now = () => new Date(clock.ms);
      const storeAlert = (alert: Parameters<typeof store.insert>[0]) =>
        store.insert(alert, { windowSeconds: 300, raisedAt: now() });
      const fail = async (
        r: Awaited<ReturnType<typeof replica>>,
        n: number,
      ) => {
        for (let i = 0; i < n; i++) {
          r.access({ ip: '203.0.113.7', status: 401 });
          clock.ms += 10_000;
        }
        await r.pipeline.idle();
      };
      return { ...services, now, storeAlert, fail };
    }

    it('counts failed logins spread over two replicas as one brute force', async () => {
      const { knex, now, store, storeAlert, fail } = await setup();
      const a = await replica(knex, { now });
      const b = await replica(knex, { now });
      const { detector: leader } = detector(knex, { now, storeAlert });

      await fail(a, 3);
      await fail(b, 2);
      // Unrelated traffic is never appended.
      a.access({ ip: '198.51.100.1', status: 200 });
      await a.pipeline.idle();
      expect(a.pipeline.stats()).toMatchObject({ events: 4, streamed: 3 });
      expect(b.pipeline.stats()).toMatchObject({ events: 2, streamed: 2 });

      expect(await new EventStream(knex).lag()).toBe(5);
      const turn = await leader.runOnce();
      expect(turn).toMatchObject({ replayed: 0, events: 5, alerts: 1 });
      const { items } = await store.list({}, { offset: 0, limit: 10 });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        ruleId: 'brute-force',
        groupKey: '203.0.113.7',
        count: 5,
      });
      expect(await new EventStream(knex).cursor()).toEqual({
        lastId: expect.any(Number),
        runAt: now(),
      });
      expect(await new EventStream(knex).lag()).toBe(0);
      // Nothing new: nothing raised again.
      expect(await leader.runOnce()).toMatchObject({ events: 0, alerts: 0 });
      expect(await store.count()).toBe(1);
    });

    it('never passes by an event whose insert commits after a later one', async () => {
      const { knex, now } = await setup();
      if (!databaseId.startsWith('POSTGRES')) return; // one writer at a time
      const stream = new EventStream(knex);
      const event = (ip: string) =>
        ({
          '@timestamp': now().toISOString(),
          source: { ip },
        } as EcsDocument);
      const { detector: leader } = detector(knex, { now });
      const slow = await knex.transaction();
      let quick: Promise<void> | undefined;
      try {
        // The slow append takes the lower id and holds the table's lock ...
        await new EventStream(slow).append([event('192.0.2.1')]);
        // ... so the quick one waits for it instead of committing first.
        quick = stream.append([event('192.0.2.2')]);
        const waiting = () =>
          knex.raw(
            `select count(*)::int as n from pg_locks
              where not granted and relation = 'security_stream_events'::regclass`,
          );
        while ((await waiting()).rows[0].n === 0) {
          await new Promise(resolve => setImmediate(resolve));
        }
        // Neither is visible yet: the cursor cannot move past the slow one.
        expect(await stream.read(0, 10)).toEqual([]);
        await slow.commit();
      } finally {
        if (!slow.isCompleted()) await slow.rollback();
      }
      await quick;
      const read = await stream.read(0, 10);
      expect(read.map(e => e.document.source?.ip)).toEqual([
        '192.0.2.1',
        '192.0.2.2',
      ]);
      expect(await leader.runOnce()).toMatchObject({ events: 2 });
    });

    it('keeps the windows across a leader change and stores a replayed alert once', async () => {
      const { knex, now, store, storeAlert, fail } = await setup();
      const r = await replica(knex, { now });
      const a = detector(knex, { now, storeAlert }).detector;
      await fail(r, 3);
      expect(await a.runOnce()).toMatchObject({ events: 3, alerts: 0 });

      // Another replica (fresh engine) takes over.
      const b = detector(knex, { now, storeAlert }).detector;
      await fail(r, 2);
      expect(await b.runOnce()).toMatchObject({
        replayed: 3,
        events: 2,
        alerts: 1,
      });
      expect(await store.count()).toBe(1);

      // A takes over again: its engine is behind the cursor, so it rebuilds;
      // the replay raises the stored alert again, which stores nothing.
      await fail(r, 1);
      expect(await a.runOnce()).toMatchObject({
        replayed: 5,
        events: 1,
        alerts: 1,
      });
      expect(await store.count()).toBe(1);
    });

    it('leaves the cursor where it was while alerts cannot be stored, and stores the alert once later', async () => {
      const { knex, now, store, storeAlert, fail } = await setup();
      const r = await replica(knex, { now });
      const { detector: leader } = detector(knex, { now, storeAlert });
      const stream = new EventStream(knex);
      await fail(r, 5);
      const before = await stream.cursor();

      await knex.schema.renameTable(SECURITY_ALERTS_TABLE, 'alerts_away');
      await expect(leader.runOnce()).rejects.toThrow();
      await expect(leader.runOnce()).rejects.toThrow();
      expect((await stream.cursor()).lastId).toBe(before.lastId);
      expect(await stream.lag()).toBe(5);

      await knex.schema.renameTable('alerts_away', SECURITY_ALERTS_TABLE);
      expect(await leader.runOnce()).toMatchObject({ events: 5, alerts: 1 });
      expect(await store.count()).toBe(1);
      expect(await stream.lag()).toBe(0);
    });

    it('stores and pages once when an alert was stored but the detector saw an error', async () => {
      const { knex, now, store, outbox, fail } = await setup();
      const r = await replica(knex, { now });
      let failedOnce = false;
      const { detector: leader } = detector(knex, {
        now,
        storeAlert: async (alert, { raisedAt }) => {
          const stored = await store.insert(alert, { raisedAt });
          if (!failedOnce) {
            // The commit went through; the answer was lost.
            failedOnce = true;
            throw new Error('connection reset');
          }
          return stored;
        },
      });
      await fail(r, 5);
      await expect(leader.runOnce()).rejects.toThrow('connection reset');
      expect(await store.count()).toBe(1);
      expect(await leader.runOnce()).toMatchObject({ replayed: 0, events: 5 });
      expect(await store.count()).toBe(1);
      expect(
        (
          await store.get(
            (
              await store.list({}, { offset: 0, limit: 1 })
            ).items[0].id,
          )
        ).events,
      ).toHaveLength(5);
      expect((await outbox.list()).totalCount).toBe(1);
    });

    it('deletes events older than twice the longest window, and only those', async () => {
      const { knex, clock, now } = await setup();
      const stream = new EventStream(knex);
      const { detector: leader } = detector(knex, { now });
      expect(leader.retentionMs).toBe(48 * HOUR);
      const at = (ms: number) =>
        ({
          '@timestamp': new Date(ms).toISOString(),
          http: { response: { status_code: 401 } },
          source: { ip: '203.0.113.8' },
        } as EcsDocument);
      await stream.append([
        at(clock.ms - 49 * HOUR),
        at(clock.ms - 47 * HOUR),
        at(clock.ms - 1000),
      ]);
      expect(await leader.runOnce()).toMatchObject({ events: 3, deleted: 1 });
      const left = await knex(SECURITY_STREAM_EVENTS_TABLE).select('event_at');
      expect(left.map(row => Number(row.event_at)).sort()).toEqual([
        clock.ms - 47 * HOUR,
        clock.ms - 1000,
      ]);
    });

    it('migrates down and up again', async () => {
      const { knex } = await setup();
      await rollbackAll(knex);
      await migrate(knex);
      expect((await new EventStream(knex).cursor()).lastId).toBe(0);
    });
  },
);
