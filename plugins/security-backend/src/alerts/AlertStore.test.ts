import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import knexFactory from 'knex';
import { bruteForceAlert, storeServices } from '../__testUtils__/storeServices';
import { notificationKey } from './AlertStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('AlertStore on %p', databaseId => {
  it('stores an alert, its events and its notification in one go, once per dedup key', async () => {
    const { store, outbox } = await storeServices(databases, databaseId);
    const alert = bruteForceAlert();
    const stored = await store.insert(alert, { windowSeconds: 300 });
    expect(stored).toMatchObject({
      ruleId: 'brute-force',
      status: 'open',
      severity: 'high',
      groupKey: '203.0.113.7',
      count: 5,
      notification: 'pending',
      raisedAt: '2026-12-02T14:05:00.000Z',
      firstAt: alert.firstAt,
    });
    // A replay, or a second replica raising the same alert.
    expect(await store.insert(bruteForceAlert())).toBeUndefined();
    expect(await store.count()).toBe(1);

    const detail = await store.get(stored!.id);
    expect(detail.events).toEqual(alert.events);

    const deliveries = (await outbox.list()).items;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      idempotencyKey: notificationKey(stored!.id, 'fired'),
      target: 'slo-external-alert',
      state: 'pending',
      payload: {
        source: 'security',
        alertId: stored!.id,
        event: 'fired',
        severity: 'page',
        entityRef: 'group:default/platform',
        link: `/security/alerts/${stored!.id}`,
        summary:
          '5 failed authentications from 203.0.113.0/24 between 14:02 and 14:04 UTC on 2026-12-02',
        fields: {
          rule: 'brute-force',
          severity: 'high',
          count: '5',
          window: '5 min',
        },
      },
    });
    expect(JSON.stringify(deliveries[0].payload)).not.toContain('203.0.113.7');
  });

  it('stores one alert from two concurrent inserts of the same dedup key', async () => {
    const first = await storeServices(databases, databaseId);
    // On PostgreSQL the second writer has its own pool, as another replica.
    const isPg = databaseId.startsWith('POSTGRES');
    const otherKnex = isPg
      ? knexFactory({
          client: first.knex.client.config.client,
          connection: first.knex.client.config.connection,
          pool: { min: 0, max: 2 },
        })
      : first.knex;
    try {
      const second = await storeServices(databases, databaseId, {
        knex: otherKnex,
      });
      const results = await Promise.all([
        first.store.insert(bruteForceAlert()),
        second.store.insert(bruteForceAlert()),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await first.store.count()).toBe(1);
      expect((await first.outbox.list()).totalCount).toBe(1);
      const [{ count }] = await first.knex('security_alert_events').count({
        count: '*',
      });
      expect(Number(count)).toBe(5);
    } finally {
      if (otherKnex !== first.knex) await otherKnex.destroy();
    }
  });

  it('records no notification when notifications are off', async () => {
    const { store, outbox } = await storeServices(databases, databaseId, {
      notifications: false,
    });
    const stored = await store.insert(bruteForceAlert());
    expect(stored?.notification).toBe('off');
    expect((await outbox.list()).totalCount).toBe(0);
    await store.setNotification(stored!.id, 'sent');
    expect((await store.get(stored!.id)).notification).toBe('off');
  });

  it('lists newest first, filtered and paged', async () => {
    const { store, clock } = await storeServices(databases, databaseId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const stored = await store.insert(
        bruteForceAlert({
          groupKey: `203.0.113.${i}`,
          dedupKey: `brute-force:203.0.113.${i}:x`,
          severity: i % 2 ? 'critical' : 'high',
        }),
      );
      ids.push(stored!.id);
      clock.ms += 60_000;
    }
    await store.insert(
      bruteForceAlert({
        ruleId: 'dsar-abuse',
        dedupKey: 'dsar-abuse:x',
        severity: 'medium',
      }),
    );
    const page = await store.list(
      { ruleId: 'brute-force' },
      { limit: 2, offset: 1 },
    );
    expect(page.totalCount).toBe(5);
    expect(page.items.map(a => a.id)).toEqual([ids[3], ids[2]]);
    expect(
      (
        await store.list({ severity: 'critical' }, { limit: 25, offset: 0 })
      ).items.map(a => a.id),
    ).toEqual([ids[3], ids[1]]);
    expect(
      (await store.list({ status: 'closed' }, { limit: 25, offset: 0 }))
        .totalCount,
    ).toBe(0);
    expect((await store.list({}, { limit: 25, offset: 0 })).totalCount).toBe(6);
  });

  it('summarizes alerts per UTC day and severity, every day present', async () => {
    const { store, clock } = await storeServices(databases, databaseId);
    await store.insert(bruteForceAlert(), {
      raisedAt: new Date('2026-11-30T23:59:59.000Z'),
    });
    await store.insert(
      bruteForceAlert({ dedupKey: 'b', severity: 'critical' }),
    );
    await store.insert(bruteForceAlert({ dedupKey: 'c' }), {
      raisedAt: new Date('2026-10-01T10:00:00.000Z'),
    });
    clock.ms = Date.parse('2026-12-02T20:00:00.000Z');
    const summary = await store.summaryByDay(3);
    expect(summary).toEqual({
      days: [
        { day: '2026-11-30', low: 0, medium: 0, high: 1, critical: 0 },
        { day: '2026-12-01', low: 0, medium: 0, high: 0, critical: 0 },
        { day: '2026-12-02', low: 0, medium: 0, high: 0, critical: 1 },
      ],
      open: 3,
    });
  });

  it('changes status with who, when and why, audited, and sends resolved on close', async () => {
    const { store, audit, outbox, clock } = await storeServices(
      databases,
      databaseId,
    );
    const { id } = (await store.insert(bruteForceAlert()))!;
    clock.ms += 60_000;
    const acknowledged = await store.changeStatus(
      id,
      { status: 'acknowledged', note: 'looking' },
      'user:default/oncall-olga',
    );
    expect(acknowledged).toMatchObject({
      status: 'acknowledged',
      statusChange: {
        by: 'user:default/oncall-olga',
        at: '2026-12-02T14:06:00.000Z',
        note: 'looking',
      },
    });
    await expect(
      store.changeStatus(
        id,
        { status: 'acknowledged', note: 'again' },
        'user:default/x',
      ),
    ).rejects.toThrow(ConflictError);
    clock.ms += 60_000;
    await store.changeStatus(
      id,
      { status: 'closed', note: 'blocked at the WAF' },
      'user:default/oncall-olga',
    );
    await expect(
      store.changeStatus(
        id,
        { status: 'acknowledged', note: 'x' },
        'user:default/x',
      ),
    ).rejects.toThrow(ConflictError);
    await store.changeStatus(
      id,
      { status: 'open', note: 'came back' },
      'user:default/oncall-olga',
    );
    await store.changeStatus(
      id,
      { status: 'closed', note: 'gone' },
      'user:default/oncall-olga',
    );
    await expect(
      store.changeStatus(
        '00000000-0000-4000-8000-000000000000',
        { status: 'closed', note: 'x' },
        'user:default/x',
      ),
    ).rejects.toThrow(NotFoundError);

    await audit.chainPending({ wait: true });
    const events = await audit.forRecord(id);
    expect(events.map(e => [e.type, e.actor, e.data])).toEqual([
      [
        'alert.acknowledged',
        'user:default/oncall-olga',
        { from: 'open', to: 'acknowledged', ruleId: 'brute-force' },
      ],
      [
        'alert.closed',
        'user:default/oncall-olga',
        { from: 'acknowledged', to: 'closed', ruleId: 'brute-force' },
      ],
      [
        'alert.reopened',
        'user:default/oncall-olga',
        { from: 'closed', to: 'open', ruleId: 'brute-force' },
      ],
      [
        'alert.closed',
        'user:default/oncall-olga',
        { from: 'open', to: 'closed', ruleId: 'brute-force' },
      ],
    ]);
    expect(await audit.verify()).toEqual({ ok: true, count: 4 });

    const keys = (await outbox.list()).items.map(d => d.idempotencyKey).sort();
    expect(keys).toEqual([
      notificationKey(id, 'fired'),
      notificationKey(id, 'resolved'),
    ]);
    const resolved = await outbox.getByKey(notificationKey(id, 'resolved'));
    expect(resolved?.payload).toMatchObject({
      event: 'resolved',
      severity: 'page',
      at: '2026-12-02T14:07:00.000Z',
    });
  });

  it('records the notification outcome', async () => {
    const { store } = await storeServices(databases, databaseId);
    const { id } = (await store.insert(bruteForceAlert()))!;
    await store.setNotification(id, 'sent');
    expect((await store.get(id)).notification).toBe('sent');
    expect(await store.countsBy()).toEqual([
      { ruleId: 'brute-force', severity: 'high', status: 'open', count: 1 },
    ]);
  });
});
