import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { FakeJira } from '../testing/vendors/FakeJira';
import { FakePagerDuty } from '../testing/vendors/FakePagerDuty';
import { FakeSlack } from '../testing/vendors/FakeSlack';
import { FakeStatuspage } from '../testing/vendors/FakeStatuspage';
import { adfText } from '../testing/vendors/FakeVendorServer';
import { MemoryAlertLinkStore } from '../testing/vendors/MemoryAlertLinkStore';
import {
  attemptOf,
  testExternalNotification,
  testNotification,
} from '../testing/vendors/notifications';
import { backstageNotifier } from './backstage';
import { createNotifiers } from './createNotifiers';
import { DemoSinkStore } from './demoSink';
import { describeAlert, externalAlertKey } from './describe';
import { readNotification } from './http';
import { jiraNotifier } from './jira';
import { pagerDutyNotifier } from './pagerduty';
import { slackNotifier } from './slack';
import { statuspageNotifier } from './statuspage';

jest.setTimeout(60_000);

const fired = testExternalNotification('fired');
const resolved = testExternalNotification('resolved');
const KEY = externalAlertKey('security:brute-force:42');

describe('describeAlert', () => {
  it('describes both kinds; an external alert is keyed apart from SLO alert ids', () => {
    expect(describeAlert(fired)).toEqual({
      key: KEY,
      title: '[page] Brute force against the portal sign-in',
      summary:
        'Security alert fired at 2026-12-02T10:15:00.000+01:00: 120 failed sign-ins in 5 minutes, then one success <script>',
      severity: 'page',
      link: 'https://portal.example.com/security/alerts/42',
    });
    expect(KEY).toMatch(/^external:[0-9a-f]{27}$/);
    expect(describeAlert(resolved).title).toBe(
      '[page] Brute force against the portal sign-in: resolved',
    );
    expect(describeAlert(testNotification('fired'))).toMatchObject({
      key: 'a-1f2e3d',
      title: '[page] Checkout availability: burning error budget (fast-burn)',
      severity: 'page',
    });
  });

  it('reads stored payloads: external by kind, SLO without kind', () => {
    expect(readNotification(fired)).toEqual(fired);
    expect(readNotification(testNotification('fired')).kind).toBeUndefined();
    expect(() => readNotification({ ...fired, severity: 'urgent' })).toThrow(
      'Invalid external alert notification payload (severity)',
    );
  });
});

describe('PagerDuty, for an external alert', () => {
  let fake: FakePagerDuty;
  beforeEach(async () => {
    fake = await new FakePagerDuty().start();
  });
  afterEach(() => fake.close());

  it('triggers and resolves one incident on the dedup key', async () => {
    const links = new MemoryAlertLinkStore();
    const deliverer = pagerDutyNotifier(
      { routingKey: fake.routingKey, url: fake.url },
      { name: 'pager', links },
    );
    for (const n of [fired, resolved]) {
      expect(await deliverer.deliver(attemptOf(n, 'pager'))).toEqual({
        outcome: 'delivered',
        status: 202,
      });
    }
    expect(fake.events.map(e => [e.eventAction, e.dedupKey])).toEqual([
      ['trigger', 'security:brute-force:42'],
      ['resolve', 'security:brute-force:42'],
    ]);
    expect(fake.incidents).toEqual([
      expect.objectContaining({
        dedupKey: 'security:brute-force:42',
        status: 'resolved',
      }),
    ]);
    expect(fake.events[0].body).toMatchObject({
      payload: {
        summary: '[page] Brute force against the portal sign-in',
        source: 'portal',
        severity: 'critical',
        group: 'security',
        custom_details: {
          rule: 'brute-force',
          attempts: '120',
          alert_id: 'brute-force:42',
          entity: 'group:default/platform',
        },
      },
      links: [
        {
          href: 'https://portal.example.com/security/alerts/42',
          text: 'Alert',
        },
      ],
    });
    expect((await links.get(KEY, 'pager'))?.externalId).toBe(
      'security:brute-force:42',
    );
  });

  it('sends a ticket-severity alert as a warning', async () => {
    const deliverer = pagerDutyNotifier(
      { routingKey: fake.routingKey, url: fake.url },
      { name: 'pager', links: new MemoryAlertLinkStore() },
    );
    await deliverer.deliver(
      attemptOf(testExternalNotification('fired', { severity: 'ticket' }), 'p'),
    );
    expect(fake.events[0].body).toMatchObject({
      payload: { severity: 'warning' },
    });
  });
});

describe('Slack, for an external alert', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await new FakeSlack().start();
  });
  afterEach(() => fake.close());

  it('posts title, summary, fields and link, then updates it and replies on resolve', async () => {
    const links = new MemoryAlertLinkStore();
    const deliverer = slackNotifier(
      { token: fake.token, channel: fake.channel, url: fake.url },
      { name: 'slack', links },
    );
    for (const n of [fired, resolved]) {
      expect(await deliverer.deliver(attemptOf(n, 'slack'))).toEqual({
        outcome: 'delivered',
      });
    }
    // A retried fired delivery finds the message: still one post.
    await deliverer.deliver(attemptOf(fired, 'slack', 2));
    expect(fake.posts).toHaveLength(1);
    const [post] = fake.posts;
    expect(post.metadata).toEqual({
      event_type: 'slo_alert',
      event_payload: { alert_id: KEY, dedup_key: 'security:brute-force:42' },
    });
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain('Brute force against the portal sign-in');
    expect(blocks).toContain('120 failed sign-ins in 5 minutes');
    expect(blocks).toContain('*attempts*\\n120');
    expect(blocks).toContain('https://portal.example.com/security/alerts/42');
    expect(blocks).toContain('Resolved');
    // Text from another plugin cannot become Slack markup.
    expect(blocks).toContain('&lt;script&gt;');
    expect(blocks).not.toContain('<script>');
    expect(post.edits).toBe(1);
    expect(fake.repliesTo(post.ts).map(r => r.text)).toEqual([
      expect.stringContaining('Security alert resolved'),
    ]);
    expect((await links.get(KEY, 'slack'))?.externalId).toBe(post.ts);
  });

  it('splits twenty fields over sections of ten, as Block Kit requires', async () => {
    const fields = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`field-${i}`, `value ${i}`]),
    );
    const deliverer = slackNotifier(
      { token: fake.token, channel: fake.channel, url: fake.url },
      { name: 'slack', links: new MemoryAlertLinkStore() },
    );
    expect(
      await deliverer.deliver(
        attemptOf(testExternalNotification('fired', { fields }), 'slack'),
      ),
    ).toEqual({ outcome: 'delivered' });
    expect(JSON.stringify(fake.posts[0].blocks)).toContain('value 19');
  });
});

describe('Jira, for an external alert', () => {
  let fake: FakeJira;
  beforeEach(async () => {
    fake = await new FakeJira().start();
  });
  afterEach(() => fake.close());

  it('opens one issue, comments on resolve and closes it', async () => {
    const links = new MemoryAlertLinkStore();
    const deliverer = jiraNotifier(
      {
        url: fake.url,
        email: fake.email,
        apiToken: fake.apiToken,
        projectKey: 'OPS',
      },
      { name: 'jira', links },
    );
    for (const n of [fired, resolved]) {
      expect(await deliverer.deliver(attemptOf(n, 'jira'))).toMatchObject({
        outcome: 'delivered',
      });
    }
    expect(fake.issues).toHaveLength(1);
    const [issue] = fake.issues;
    expect(issue).toMatchObject({
      key: 'OPS-1',
      summary: '[page] Brute force against the portal sign-in',
      labels: ['security-alert', `slo-alert-${KEY.replace(':', '-')}`],
      status: 'Done',
    });
    const description = adfText(issue.description);
    expect(description).toContain('120 failed sign-ins');
    expect(description).toMatch(/attempts:\s+120/);
    expect(description).toContain(
      'https://portal.example.com/security/alerts/42',
    );
    expect(fake.commentTexts('OPS-1')).toEqual([
      expect.stringContaining('Security alert resolved'),
    ]);
    expect((await links.get(KEY, 'jira'))?.externalId).toBe('OPS-1');
  });
});

describe('Statuspage, for an external alert', () => {
  it('fails for good and calls nothing: never a public status page', async () => {
    const fake = await new FakeStatuspage().start();
    try {
      const deliverer = statuspageNotifier(
        {
          url: fake.url,
          apiKey: fake.apiKey,
          pageId: fake.pageId,
          componentId: fake.componentId,
        },
        { name: 'status', links: new MemoryAlertLinkStore() },
      );
      expect(await deliverer.deliver(attemptOf(fired, 'status'))).toEqual({
        outcome: 'permanent',
        error:
          'Statuspage: alerts from other plugins (security) never go to a public status page',
      });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});

describe('Backstage notifications, for an external alert', () => {
  it('notifies the alert entity under the source topic; without one, fails for good', async () => {
    const sent: NotificationSendOptions[] = [];
    const deliverer = backstageNotifier({
      notifications: { send: async options => void sent.push(options) },
    });
    expect(await deliverer.deliver(attemptOf(fired, 'portal'))).toEqual({
      outcome: 'delivered',
    });
    expect(sent[0]).toEqual({
      recipients: { type: 'entity', entityRef: 'group:default/platform' },
      payload: {
        title: '[page] Brute force against the portal sign-in',
        description: expect.stringContaining('120 failed sign-ins'),
        link: 'https://portal.example.com/security/alerts/42',
        severity: 'critical',
        topic: 'security-alert',
        scope: 'external:security:brute-force:42:fired',
      },
    });
    expect(
      await deliverer.deliver(
        attemptOf(
          testExternalNotification('fired', { entityRef: undefined }),
          'portal',
        ),
      ),
    ).toEqual({
      outcome: 'permanent',
      error: 'Backstage notification: the external alert names no entity',
    });
  });
});

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'the demo sink, for an external alert, on %p',
  databaseId => {
    it('records what each target would have sent; statuspage refuses', async () => {
      const knex = await databases.init(databaseId);
      // eslint-disable-next-line @backstage/no-relative-monorepo-imports
      const migration = require('../../migrations/20261202130000_demo_sink.js');
      await migration.up(knex);
      const demoSink = new DemoSinkStore(knex);
      const notifiers = createNotifiers(
        new ConfigReader({
          slo: {
            notifications: {
              targets: {
                pager: { type: 'pagerduty', routingKey: 'PD-SECRET-KEY' },
                slack: {
                  type: 'slack',
                  token: 'xoxb-SECRET',
                  channel: 'C0DEMO0001',
                },
                status: {
                  type: 'statuspage',
                  apiKey: 'SP-SECRET',
                  pageId: 'p',
                  componentId: 'c',
                },
              },
            },
          },
        }),
        { links: new MemoryAlertLinkStore(), demoSink },
        { demo: true },
      );
      for (const name of ['pager', 'slack']) {
        expect(await notifiers[name].deliver(attemptOf(fired, name))).toEqual({
          outcome: 'delivered',
        });
      }
      expect(
        await notifiers.status.deliver(attemptOf(fired, 'status')),
      ).toMatchObject({ outcome: 'permanent' });
      const page = await demoSink.list({ limit: 10, offset: 0 });
      expect(page.items.map(i => [i.target, i.type, i.request.path])).toEqual([
        ['slack', 'slack', '/chat.postMessage'],
        ['pager', 'pagerduty', '/v2/enqueue'],
      ]);
      expect(page.items[1].request.body).toMatchObject({
        routing_key: '***',
        dedup_key: 'security:brute-force:42',
      });
      expect(JSON.stringify(page.items)).not.toMatch(/SECRET/);
      await knex.destroy();
    });
  },
);
