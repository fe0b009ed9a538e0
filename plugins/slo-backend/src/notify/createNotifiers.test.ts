import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { MemoryAlertLinkStore } from '../testing/vendors/MemoryAlertLinkStore';
import { attemptOf, testNotification } from '../testing/vendors/notifications';
import { backstageNotifier } from './backstage';
import { createNotifiers } from './createNotifiers';
import { DemoSinkStore } from './demoSink';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const targets = {
  pager: { type: 'pagerduty', routingKey: 'PD-SECRET-KEY' },
  jira: {
    type: 'jira',
    url: 'https://example.atlassian.net',
    email: 'bot@example.com',
    apiToken: 'JIRA-SECRET',
    projectKey: 'OPS',
  },
  portal: { type: 'backstage' },
};

const config = (t: unknown) =>
  new ConfigReader({ slo: { notifications: { targets: t } } } as never);

describe('createNotifiers', () => {
  it('names the target and the field of a wrong config', () => {
    expect(() =>
      createNotifiers(config({ pager: { type: 'pagerduty' } }), {
        links: new MemoryAlertLinkStore(),
      }),
    ).toThrow(/slo\.notifications\.targets\.pager\.routingKey/);
    expect(() =>
      createNotifiers(config({ x: { type: 'email' } }), {
        links: new MemoryAlertLinkStore(),
      }),
    ).toThrow(/slo\.notifications\.targets\.x\.type/);
  });

  it('refuses a backstage target without the notifications service', () => {
    expect(() =>
      createNotifiers(config(targets), { links: new MemoryAlertLinkStore() }),
    ).toThrow("SLO notification target 'portal' (backstage) needs");
  });

  it('sends portal notifications to the owner, scoped to alert and event', async () => {
    const sent: NotificationSendOptions[] = [];
    const deliverer = backstageNotifier({
      notifications: { send: async options => void sent.push(options) },
    });
    const attempt = attemptOf(testNotification('fired'), 'portal');
    expect(await deliverer.deliver(attempt)).toEqual({ outcome: 'delivered' });
    expect(await deliverer.deliver({ ...attempt, attempt: 2 })).toEqual({
      outcome: 'delivered',
    });
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual(sent[1]);
    expect(sent[0]).toMatchObject({
      recipients: { type: 'entity', entityRef: 'group:default/payments-team' },
      payload: {
        severity: 'critical',
        topic: 'slo-alert',
        scope: 'slo-alert:a-1f2e3d:fired',
        link: 'https://portal.example.com/slo/objectives/checkout-availability',
      },
    });
    const noOwner = testNotification('fired');
    delete noOwner.objective.owner;
    expect(await deliverer.deliver(attemptOf(noOwner, 'portal'))).toMatchObject(
      { outcome: 'permanent' },
    );
  });
});

describe.each(databases.eachSupportedId())('demo mode on %p', databaseId => {
  it('records what each target would have sent, secrets hidden', async () => {
    const knex = await databases.init(databaseId);
    // eslint-disable-next-line @backstage/no-relative-monorepo-imports
    const migration = require('../../migrations/20261202130000_demo_sink.js');
    await migration.up(knex);
    const demoSink = new DemoSinkStore(knex);
    const notifiers = createNotifiers(
      config(targets),
      { links: new MemoryAlertLinkStore(), demoSink },
      { demo: true },
    );
    for (const name of Object.keys(targets)) {
      expect(
        await notifiers[name].deliver(
          attemptOf(testNotification('fired'), name),
        ),
      ).toEqual({ outcome: 'delivered' });
    }
    const page = await demoSink.list({ limit: 10, offset: 0 });
    expect(page.totalCount).toBe(3);
    expect(
      page.items.map(i => [i.target, i.type, i.request.method, i.request.path]),
    ).toEqual([
      ['portal', 'backstage', 'POST', '/api/notifications/notifications'],
      ['jira', 'jira', 'POST', '/rest/api/3/issue'],
      ['pager', 'pagerduty', 'POST', '/v2/enqueue'],
    ]);
    expect(page.items[2].request.body).toMatchObject({ routing_key: '***' });
    expect(JSON.stringify(page.items)).not.toMatch(/SECRET/);
    await knex.destroy();
  });
});
