import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  NewDelivery,
  Outbox,
  OutboxDeliverer,
  OutboxWorker,
  createOutboxTable,
} from '@internal/plugin-ops-node';
import type { SloAlertLink } from '@internal/plugin-slo-common';
import { FakeJira } from '../testing/vendors/FakeJira';
import { FakePagerDuty } from '../testing/vendors/FakePagerDuty';
import { FakeSlack } from '../testing/vendors/FakeSlack';
import { FakeStatuspage } from '../testing/vendors/FakeStatuspage';
import { MemoryAlertLinkStore } from '../testing/vendors/MemoryAlertLinkStore';
import { testNotification } from '../testing/vendors/notifications';
import { createNotifiers } from './createNotifiers';
import { ConfigReader } from '@backstage/config';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TARGETS = ['pager', 'jira', 'slack', 'status'];
const LEASE_MS = 60_000;

/** A link store whose first `put` fails: the crash between the vendor call and recording what it made. */
class CrashingLinkStore extends MemoryAlertLinkStore {
  crashes = 0;
  async put(alertId: string, link: SloAlertLink) {
    if (this.crashes === 0) {
      this.crashes += 1;
      throw new Error('process died before recording the link');
    }
    return super.put(alertId, link);
  }
}

async function setup(databaseId: TestDatabaseId, links: MemoryAlertLinkStore) {
  const knex = await databases.init(databaseId);
  await createOutboxTable(knex, 'slo_outbox');
  let ms = Date.parse('2026-12-02T10:15:00.000Z');
  const clock = {
    now: () => new Date(ms),
    advance: (by: number) => {
      ms += by;
    },
  };
  const outbox = new Outbox({ db: knex, table: 'slo_outbox', now: clock.now });
  const fakes = {
    pager: await new FakePagerDuty().start(),
    jira: await new FakeJira().start(),
    slack: await new FakeSlack().start(),
    status: await new FakeStatuspage().start(),
  };
  const config = new ConfigReader({
    slo: {
      notifications: {
        targets: {
          pager: {
            type: 'pagerduty',
            routingKey: fakes.pager.routingKey,
            url: fakes.pager.url,
          },
          jira: {
            type: 'jira',
            url: fakes.jira.url,
            email: fakes.jira.email,
            apiToken: fakes.jira.apiToken,
            projectKey: 'OPS',
          },
          slack: {
            type: 'slack',
            token: fakes.slack.token,
            channel: fakes.slack.channel,
            url: fakes.slack.url,
          },
          status: {
            type: 'statuspage',
            url: fakes.status.url,
            apiKey: fakes.status.apiKey,
            pageId: fakes.status.pageId,
            componentId: fakes.status.componentId,
          },
        },
      },
    },
  });
  const deliverers = createNotifiers(config, { links });
  const worker = (custom: Record<string, OutboxDeliverer> = deliverers) =>
    new OutboxWorker({
      outbox,
      deliverers: custom,
      now: clock.now,
      random: () => 0,
      leaseMs: LEASE_MS,
      backoff: { baseMs: 1000 },
    });
  const close = async () => {
    await Promise.all(Object.values(fakes).map(f => f.close()));
  };
  return { knex, outbox, clock, fakes, deliverers, worker, close };
}

function fired(key = 'fired'): NewDelivery[] {
  return TARGETS.map(target => ({
    idempotencyKey: `slo-alert:a-1f2e3d:${key}:${target}`,
    target,
    payload: testNotification('fired'),
  }));
}

function expectOneEach(fakes: Awaited<ReturnType<typeof setup>>['fakes']) {
  expect(fakes.jira.issues).toHaveLength(1);
  expect(fakes.slack.posts).toHaveLength(1);
  expect(fakes.status.incidents).toHaveLength(1);
  expect(fakes.pager.incidents).toHaveLength(1);
}

describe.each(databases.eachSupportedId())(
  'notifiers in the outbox on %p',
  databaseId => {
    it('makes one ticket, message and incident for a notification enqueued twice', async () => {
      const links = new MemoryAlertLinkStore();
      const { knex, outbox, fakes, worker, close } = await setup(
        databaseId,
        links,
      );
      try {
        expect(await outbox.enqueue(fired(), knex)).toBe(4);
        expect(await outbox.enqueue(fired(), knex)).toBe(0);
        // The same transition enqueued again under another key (e.g. a second
        // evaluation that raced the first): the notifiers must still act once.
        expect(await outbox.enqueue(fired('fired:1'), knex)).toBe(4);
        const summary = await worker().deliverDue();
        expect(summary).toMatchObject({ claimed: 8, delivered: 8 });
        expectOneEach(fakes);
        expect(fakes.pager.events).toHaveLength(2);
      } finally {
        await close();
      }
    });

    it('acts once when a worker dies after the vendor call, before recording', async () => {
      const links = new CrashingLinkStore();
      const { knex, outbox, clock, fakes, deliverers, worker, close } =
        await setup(databaseId, links);
      try {
        await outbox.enqueue(fired(), knex);
        // One target at a time, so that every target meets the crash once.
        for (const target of TARGETS) {
          links.crashes = 0;
          const first = await worker({
            [target]: deliverers[target],
          }).deliverDue();
          expect(first).toMatchObject({ claimed: 1, retrying: 1 });
          clock.advance(5_000);
          const second = await worker({
            [target]: deliverers[target],
          }).deliverDue();
          expect(second).toMatchObject({ claimed: 1, delivered: 1 });
        }
        expectOneEach(fakes);
        expect(links.of('a-1f2e3d')).toHaveLength(4);
      } finally {
        await close();
      }
    });

    it('acts once when a lease runs out and a second worker retries', async () => {
      const links = new MemoryAlertLinkStore();
      const { knex, outbox, clock, fakes, deliverers, worker, close } =
        await setup(databaseId, links);
      try {
        await outbox.enqueue(fired(), knex);
        const second = worker();
        const secondRuns: Array<
          Awaited<ReturnType<OutboxWorker['deliverDue']>>
        > = [];
        // The first worker's calls succeed but take longer than its lease:
        // meanwhile the second worker claims the deliveries and makes them again.
        let called = 0;
        let release!: () => void;
        const released = new Promise<void>(resolve => (release = resolve));
        const slow = Object.fromEntries(
          TARGETS.map(target => [
            target,
            {
              async deliver(attempt) {
                const result = await deliverers[target].deliver(attempt);
                called += 1;
                if (called === TARGETS.length) {
                  clock.advance(LEASE_MS + 1);
                  secondRuns.push(await second.deliverDue());
                  release();
                }
                await released;
                return result;
              },
            } satisfies OutboxDeliverer,
          ]),
        );
        const first = await worker(slow).deliverDue();
        expect(secondRuns).toEqual([
          expect.objectContaining({ claimed: 4, delivered: 4 }),
        ]);
        expect(first).toMatchObject({ claimed: 4, leaseLost: 4 });
        expectOneEach(fakes);
        const page = await outbox.list({ state: 'delivered' });
        expect(page.totalCount).toBe(4);
      } finally {
        await close();
      }
    });
  },
);
