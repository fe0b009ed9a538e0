import { FakeJira } from '../testing/vendors/FakeJira';
import { adfText } from '../testing/vendors/FakeVendorServer';
import { MemoryAlertLinkStore } from '../testing/vendors/MemoryAlertLinkStore';
import { attemptOf, testNotification } from '../testing/vendors/notifications';
import { jiraNotifier, renderJiraRequest } from './jira';

describe('jiraNotifier', () => {
  let fake: FakeJira;
  let links: MemoryAlertLinkStore;
  beforeEach(async () => {
    fake = await new FakeJira().start();
    links = new MemoryAlertLinkStore();
  });
  afterEach(() => fake.close());

  const notifier = (apiToken = fake.apiToken) =>
    jiraNotifier(
      { url: fake.url, email: fake.email, apiToken, projectKey: 'OPS' },
      { name: 'jira', links },
    );

  it('opens one issue, comments on acknowledge and resolve, and closes it', async () => {
    const deliverer = notifier();
    for (const event of ['fired', 'acknowledged', 'resolved'] as const) {
      expect(
        await deliverer.deliver(attemptOf(testNotification(event), 'jira')),
      ).toMatchObject({ outcome: 'delivered' });
    }
    expect(fake.issues).toHaveLength(1);
    const [issue] = fake.issues;
    expect(issue).toMatchObject({
      key: 'OPS-1',
      issueType: 'Task',
      labels: ['slo-alert', 'slo-alert-a-1f2e3d'],
      status: 'Done',
    });
    const description = adfText(issue.description);
    expect(description).toContain('https://runbooks.example.com/checkout');
    expect(description).toContain(
      'https://portal.example.com/create/rollback?service=checkout',
    );
    const comments = fake.commentTexts('OPS-1');
    expect(comments).toHaveLength(2);
    expect(comments[0]).toContain('acknowledged');
    expect(comments[0]).toContain('looking into it');
    expect(comments[1]).toContain('resolved');
    expect(await links.get('a-1f2e3d', 'jira')).toEqual({
      target: 'jira',
      type: 'jira',
      externalId: 'OPS-1',
      url: `${fake.url}/browse/OPS-1`,
    });
    expect(fake.calls()).toEqual([
      'GET /rest/api/3/search/jql',
      'POST /rest/api/3/issue',
      'GET /rest/api/3/issue/OPS-1/comment',
      'POST /rest/api/3/issue/OPS-1/comment',
      'GET /rest/api/3/issue/OPS-1/comment',
      'POST /rest/api/3/issue/OPS-1/comment',
      'GET /rest/api/3/issue/OPS-1',
      'GET /rest/api/3/issue/OPS-1/transitions',
      'POST /rest/api/3/issue/OPS-1/transitions',
    ]);
  });

  it('finds the issue by its label when the link was never recorded', async () => {
    await notifier().deliver(attemptOf(testNotification('fired'), 'jira'));
    // A crash between create and record: the link is lost.
    links.links.clear();
    expect(
      await notifier().deliver(attemptOf(testNotification('fired'), 'jira', 2)),
    ).toEqual({ outcome: 'delivered' });
    expect(fake.issues).toHaveLength(1);
    expect((await links.get('a-1f2e3d', 'jira'))?.externalId).toBe('OPS-1');
  });

  it('comments once when a comment delivery is retried, and closes once', async () => {
    await notifier().deliver(attemptOf(testNotification('fired'), 'jira'));
    // The comment is made, then the connection drops before the answer.
    let dropped = false;
    const flaky: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (
        !dropped &&
        init?.method === 'POST' &&
        String(input).endsWith('/comment')
      ) {
        dropped = true;
        throw new TypeError('fetch failed', {
          cause: { code: 'ECONNRESET' },
        });
      }
      return response;
    };
    const deliverer = jiraNotifier(
      {
        url: fake.url,
        email: fake.email,
        apiToken: fake.apiToken,
        projectKey: 'OPS',
      },
      { name: 'jira', links, fetch: flaky },
    );
    const resolved = attemptOf(testNotification('resolved'), 'jira');
    expect(await deliverer.deliver(resolved)).toEqual({
      outcome: 'retry',
      error: 'Jira comment: request failed: ECONNRESET',
    });
    expect(await deliverer.deliver({ ...resolved, attempt: 2 })).toEqual({
      outcome: 'delivered',
    });
    expect(await deliverer.deliver({ ...resolved, attempt: 3 })).toEqual({
      outcome: 'delivered',
    });
    expect(fake.commentTexts('OPS-1')).toHaveLength(1);
    expect(fake.issues[0].status).toBe('Done');
    expect(
      fake.calls().filter(c => c.includes('POST /rest/api/3/issue/')),
    ).toEqual([
      'POST /rest/api/3/issue/OPS-1/comment',
      'POST /rest/api/3/issue/OPS-1/transitions',
    ]);
  });

  it('asks to retry a later event whose issue does not exist yet', async () => {
    expect(
      await notifier().deliver(
        attemptOf(testNotification('acknowledged'), 'jira'),
      ),
    ).toMatchObject({ outcome: 'retry' });
    expect(fake.issues).toHaveLength(0);
  });

  it('retries a 429 with its Retry-After and a 5xx', async () => {
    const attempt = attemptOf(testNotification('fired'), 'jira');
    fake.failNext(1, { status: 429, retryAfter: '17' });
    expect(await notifier().deliver(attempt)).toEqual({
      outcome: 'retry',
      status: 429,
      error: 'Jira issue search: HTTP 429',
      retryAfter: '17',
    });
    fake.failNext(1, { status: 502 });
    expect(await notifier().deliver(attempt)).toMatchObject({
      outcome: 'retry',
      status: 502,
    });
    expect(await notifier().deliver(attempt)).toMatchObject({
      outcome: 'delivered',
    });
    expect(fake.issues).toHaveLength(1);
  });

  it('fails for good on a wrong token or a refused issue, naming no secret', async () => {
    const unauthorized = await notifier('not-the-token').deliver(
      attemptOf(testNotification('fired'), 'jira'),
    );
    expect(unauthorized).toEqual({
      outcome: 'permanent',
      status: 401,
      error: 'Jira issue search: HTTP 401',
    });
    const wrongProject = await jiraNotifier(
      {
        url: fake.url,
        email: fake.email,
        apiToken: fake.apiToken,
        projectKey: 'NOPE',
      },
      { name: 'jira', links },
    ).deliver(attemptOf(testNotification('fired'), 'jira'));
    expect(wrongProject).toEqual({
      outcome: 'permanent',
      status: 400,
      error: 'Jira issue create: HTTP 400',
    });
    for (const result of [unauthorized, wrongProject]) {
      expect(JSON.stringify(result)).not.toMatch(/token|bot@example/);
    }
  });

  it('fails for good when the done transition does not exist', async () => {
    const deliverer = jiraNotifier(
      {
        url: fake.url,
        email: fake.email,
        apiToken: fake.apiToken,
        projectKey: 'OPS',
        doneTransition: 'Closed',
      },
      { name: 'jira', links },
    );
    await deliverer.deliver(attemptOf(testNotification('fired'), 'jira'));
    expect(
      await deliverer.deliver(attemptOf(testNotification('resolved'), 'jira')),
    ).toEqual({
      outcome: 'permanent',
      error: "Jira transition 'Closed' is not available on OPS-1",
    });
  });

  it('renders the comment of a later event with placeholders', () => {
    expect(
      renderJiraRequest(testNotification('silenced'), {
        url: 'https://x.atlassian.net',
        email: 'e',
        apiToken: 't',
        projectKey: 'OPS',
      }),
    ).toMatchObject({
      method: 'POST',
      path: '/rest/api/3/issue/{issueKey}/comment',
    });
  });
});
