import { FakeSlack } from '../testing/vendors/FakeSlack';
import { MemoryAlertLinkStore } from '../testing/vendors/MemoryAlertLinkStore';
import { attemptOf, testNotification } from '../testing/vendors/notifications';
import { slackNotifier } from './slack';

describe('slackNotifier', () => {
  let fake: FakeSlack;
  let links: MemoryAlertLinkStore;
  beforeEach(async () => {
    fake = await new FakeSlack().start();
    links = new MemoryAlertLinkStore();
  });
  afterEach(() => fake.close());

  const notifier = (token = fake.token) =>
    slackNotifier(
      { token, channel: fake.channel, url: fake.url },
      { name: 'slack', links },
    );

  it('posts one message, then updates it and replies in its thread', async () => {
    const deliverer = notifier();
    for (const event of ['fired', 'acknowledged', 'resolved'] as const) {
      expect(
        await deliverer.deliver(attemptOf(testNotification(event), 'slack')),
      ).toEqual({ outcome: 'delivered' });
    }
    expect(fake.posts).toHaveLength(1);
    const [post] = fake.posts;
    expect(post.metadata).toEqual({
      event_type: 'slo_alert',
      event_payload: {
        alert_id: 'a-1f2e3d',
        dedup_key: 'checkout-availability:fast-burn',
      },
    });
    expect(post.edits).toBe(2);
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain('Resolved');
    expect(blocks).toContain('https://runbooks.example.com/checkout');
    expect(blocks).toContain('Budget remaining');
    expect(fake.repliesTo(post.ts).map(r => r.text)).toEqual([
      expect.stringContaining('acknowledged'),
      expect.stringContaining('resolved'),
    ]);
    expect(await links.get('a-1f2e3d', 'slack')).toEqual({
      target: 'slack',
      type: 'slack',
      externalId: post.ts,
      url: expect.stringMatching(/^https:\/\/example\.slack\.com\/archives\//),
    });
  });

  it('finds its message in the history when the link was never recorded', async () => {
    await notifier().deliver(attemptOf(testNotification('fired'), 'slack'));
    links.links.clear();
    await notifier().deliver(attemptOf(testNotification('fired'), 'slack', 2));
    expect(fake.posts).toHaveLength(1);
    expect((await links.get('a-1f2e3d', 'slack'))?.externalId).toBe(
      fake.posts[0].ts,
    );
  });

  it('replies once when a later delivery is retried', async () => {
    const deliverer = notifier();
    await deliverer.deliver(attemptOf(testNotification('fired'), 'slack'));
    const ack = attemptOf(testNotification('acknowledged'), 'slack');
    await deliverer.deliver(ack);
    await deliverer.deliver({ ...ack, attempt: 2 });
    expect(fake.repliesTo(fake.posts[0].ts)).toHaveLength(1);
  });

  it('retries an HTTP 429 with its Retry-After, ratelimited and a 5xx', async () => {
    const attempt = attemptOf(testNotification('fired'), 'slack');
    fake.failNext(1, {
      status: 429,
      retryAfter: '42',
      body: { ok: false, error: 'ratelimited' },
    });
    expect(await notifier().deliver(attempt)).toEqual({
      outcome: 'retry',
      status: 429,
      error: 'Slack conversations.history: HTTP 429',
      retryAfter: '42',
    });
    fake.failNext(1, {
      status: 200,
      body: { ok: false, error: 'ratelimited' },
    });
    expect(await notifier().deliver(attempt)).toMatchObject({
      outcome: 'retry',
      error: 'Slack conversations.history: ratelimited',
    });
    fake.failNext(1, { status: 503 });
    expect(await notifier().deliver(attempt)).toMatchObject({
      outcome: 'retry',
      status: 503,
    });
    expect(await notifier().deliver(attempt)).toEqual({ outcome: 'delivered' });
    expect(fake.posts).toHaveLength(1);
  });

  it('fails for good on a wrong token or channel, naming no secret', async () => {
    const unauthorized = await notifier('xoxb-wrong-secret').deliver(
      attemptOf(testNotification('fired'), 'slack'),
    );
    expect(unauthorized).toEqual({
      outcome: 'permanent',
      status: 200,
      error: 'Slack conversations.history: invalid_auth',
    });
    expect(JSON.stringify(unauthorized)).not.toContain('xoxb');
    const wrongChannel = await slackNotifier(
      { token: fake.token, channel: 'C999', url: fake.url },
      { name: 'slack', links },
    ).deliver(attemptOf(testNotification('fired'), 'slack'));
    expect(wrongChannel).toMatchObject({
      outcome: 'permanent',
      error: 'Slack conversations.history: channel_not_found',
    });
    fake.failNext(1, { status: 401, body: { ok: false, error: 'not_authed' } });
    expect(
      await notifier().deliver(attemptOf(testNotification('fired'), 'slack')),
    ).toMatchObject({ outcome: 'permanent', status: 401 });
    expect(fake.posts).toHaveLength(0);
  });

  it('asks to retry a later event whose message does not exist yet', async () => {
    expect(
      await notifier().deliver(
        attemptOf(testNotification('resolved'), 'slack'),
      ),
    ).toMatchObject({ outcome: 'retry' });
  });
});
