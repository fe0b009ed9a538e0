import { FakePagerDuty } from '../testing/vendors/FakePagerDuty';
import { MemoryAlertLinkStore } from '../testing/vendors/MemoryAlertLinkStore';
import { attemptOf, testNotification } from '../testing/vendors/notifications';
import { pagerDutyNotifier } from './pagerduty';

describe('pagerDutyNotifier', () => {
  let fake: FakePagerDuty;
  let links: MemoryAlertLinkStore;
  beforeEach(async () => {
    fake = await new FakePagerDuty().start();
    links = new MemoryAlertLinkStore();
  });
  afterEach(() => fake.close());

  const notifier = (routingKey = fake.routingKey) =>
    pagerDutyNotifier({ routingKey, url: fake.url }, { name: 'pager', links });

  it('triggers, acknowledges and resolves one incident by dedup key', async () => {
    const deliverer = notifier();
    for (const event of ['fired', 'acknowledged', 'resolved'] as const) {
      expect(
        await deliverer.deliver(attemptOf(testNotification(event), 'pager')),
      ).toEqual({ outcome: 'delivered', status: 202 });
    }
    expect(fake.events.map(e => e.eventAction)).toEqual([
      'trigger',
      'acknowledge',
      'resolve',
    ]);
    expect(fake.incidents).toEqual([
      expect.objectContaining({
        dedupKey: 'checkout-availability:fast-burn',
        status: 'resolved',
      }),
    ]);
    expect(fake.events[0].body).toMatchObject({
      payload: {
        severity: 'critical',
        source: 'checkout',
        timestamp: '2026-12-02T10:15:00.000Z',
      },
      links: expect.arrayContaining([
        { href: 'https://runbooks.example.com/checkout', text: 'Runbook' },
      ]),
    });
    expect(await links.get('a-1f2e3d', 'pager')).toEqual({
      target: 'pager',
      type: 'pagerduty',
      externalId: 'checkout-availability:fast-burn',
    });
  });

  it('maps silenced to acknowledge, and a repeated trigger stays one incident', async () => {
    const deliverer = notifier();
    await deliverer.deliver(attemptOf(testNotification('fired'), 'pager'));
    await deliverer.deliver(attemptOf(testNotification('fired'), 'pager', 2));
    await deliverer.deliver(attemptOf(testNotification('silenced'), 'pager'));
    expect(fake.events.map(e => e.eventAction)).toEqual([
      'trigger',
      'trigger',
      'acknowledge',
    ]);
    expect(fake.incidents).toHaveLength(1);
    expect(fake.incidents[0].status).toBe('acknowledged');
  });

  it('retries a 429 with its Retry-After and a 5xx', async () => {
    fake.failNext(1, { status: 429, retryAfter: '30' });
    fake.failNext(1, { status: 503 });
    const deliverer = notifier();
    const n = attemptOf(testNotification('fired'), 'pager');
    expect(await deliverer.deliver(n)).toEqual({
      outcome: 'retry',
      status: 429,
      error: 'PagerDuty trigger event: HTTP 429',
      retryAfter: '30',
    });
    expect(await deliverer.deliver(n)).toMatchObject({
      outcome: 'retry',
      status: 503,
    });
    expect(await deliverer.deliver(n)).toMatchObject({ outcome: 'delivered' });
  });

  it('fails for good on a wrong routing key, without naming it', async () => {
    const result = await notifier('WR0NGKEYWR0NGKEY').deliver(
      attemptOf(testNotification('fired'), 'pager'),
    );
    expect(result).toEqual({
      outcome: 'permanent',
      status: 400,
      error: 'PagerDuty trigger event: HTTP 400',
    });
    expect(JSON.stringify(result)).not.toContain('WR0NGKEY');
  });

  it('fails for good on a payload that is not a notification', async () => {
    expect(
      await notifier().deliver({
        id: 1,
        target: 'pager',
        payload: { event: 'exploded' },
        idempotencyKey: 'k',
        attempt: 1,
      }),
    ).toMatchObject({ outcome: 'permanent' });
    expect(fake.requests).toHaveLength(0);
  });

  it('retries when the vendor cannot be reached', async () => {
    const deliverer = notifier();
    await fake.close();
    expect(
      await deliverer.deliver(attemptOf(testNotification('fired'), 'pager')),
    ).toMatchObject({
      outcome: 'retry',
      error: expect.stringMatching(/^PagerDuty trigger event: request failed/),
    });
    fake = await new FakePagerDuty().start();
  });
});
