import { FakeStatuspage } from '../testing/vendors/FakeStatuspage';
import { MemoryAlertLinkStore } from '../testing/vendors/MemoryAlertLinkStore';
import { attemptOf, testNotification } from '../testing/vendors/notifications';
import { statuspageNotifier } from './statuspage';

describe('statuspageNotifier', () => {
  let fake: FakeStatuspage;
  let links: MemoryAlertLinkStore;
  beforeEach(async () => {
    fake = await new FakeStatuspage().start();
    links = new MemoryAlertLinkStore();
  });
  afterEach(() => fake.close());

  const notifier = (apiKey = fake.apiKey) =>
    statuspageNotifier(
      {
        url: fake.url,
        apiKey,
        pageId: fake.pageId,
        componentId: fake.componentId,
      },
      { name: 'status', links },
    );

  it('opens one incident, moves it along and resolves it', async () => {
    const deliverer = notifier();
    await deliverer.deliver(attemptOf(testNotification('fired'), 'status'));
    expect(fake.componentStatus.get(fake.componentId)).toBe(
      'degraded_performance',
    );
    for (const event of ['acknowledged', 'resolved'] as const) {
      expect(
        await deliverer.deliver(attemptOf(testNotification(event), 'status')),
      ).toMatchObject({ outcome: 'delivered', status: 200 });
    }
    expect(fake.incidents).toHaveLength(1);
    const [incident] = fake.incidents;
    expect(incident.status).toBe('resolved');
    expect(incident.incident_updates.map(u => u.status)).toEqual([
      'resolved',
      'identified',
      'investigating',
    ]);
    expect(fake.componentStatus.get(fake.componentId)).toBe('operational');
    expect(await links.get('a-1f2e3d', 'status')).toEqual({
      target: 'status',
      type: 'statuspage',
      externalId: incident.id,
    });
    expect(fake.calls()).toEqual([
      `GET /pages/${fake.pageId}/incidents/unresolved`,
      `POST /pages/${fake.pageId}/incidents`,
      `GET /pages/${fake.pageId}/incidents/${incident.id}`,
      `PATCH /pages/${fake.pageId}/incidents/${incident.id}`,
      `GET /pages/${fake.pageId}/incidents/${incident.id}`,
      `PATCH /pages/${fake.pageId}/incidents/${incident.id}`,
    ]);
  });

  it('finds the open incident of the alert when the link was never recorded', async () => {
    await notifier().deliver(attemptOf(testNotification('fired'), 'status'));
    links.links.clear();
    await notifier().deliver(attemptOf(testNotification('fired'), 'status', 2));
    expect(fake.incidents).toHaveLength(1);
  });

  it('updates once when an update is retried', async () => {
    const deliverer = notifier();
    await deliverer.deliver(attemptOf(testNotification('fired'), 'status'));
    const silenced = attemptOf(testNotification('silenced'), 'status');
    await deliverer.deliver(silenced);
    await deliverer.deliver({ ...silenced, attempt: 2 });
    expect(fake.incidents[0].incident_updates).toHaveLength(2);
    expect(fake.incidents[0].status).toBe('monitoring');
  });

  it('retries a 429 with its Retry-After and a 5xx', async () => {
    const attempt = attemptOf(testNotification('fired'), 'status');
    fake.failNext(1, { status: 429, retryAfter: '5' });
    expect(await notifier().deliver(attempt)).toEqual({
      outcome: 'retry',
      status: 429,
      error: 'Statuspage unresolved incidents: HTTP 429',
      retryAfter: '5',
    });
    fake.failNext(1, { status: 500 });
    expect(await notifier().deliver(attempt)).toMatchObject({
      outcome: 'retry',
      status: 500,
    });
  });

  it('fails for good on a wrong key or a refused incident, naming no secret', async () => {
    const unauthorized = await notifier('sp-wrong-secret').deliver(
      attemptOf(testNotification('fired'), 'status'),
    );
    expect(unauthorized).toEqual({
      outcome: 'permanent',
      status: 401,
      error: 'Statuspage unresolved incidents: HTTP 401',
    });
    expect(JSON.stringify(unauthorized)).not.toContain('secret');
    const wrongComponent = await statuspageNotifier(
      {
        url: fake.url,
        apiKey: fake.apiKey,
        pageId: fake.pageId,
        componentId: 'nope',
      },
      { name: 'status', links },
    ).deliver(attemptOf(testNotification('fired'), 'status'));
    expect(wrongComponent).toEqual({
      outcome: 'permanent',
      status: 400,
      error: 'Statuspage incident create: HTTP 400',
    });
  });
});
