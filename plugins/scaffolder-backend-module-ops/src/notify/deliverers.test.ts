import { TestDatabases } from '@backstage/backend-test-utils';
import { Outbox } from '@internal/plugin-ops-node';
import {
  SLACK_NOTIFY_EVENT,
  StatuspagePayload,
  slackDeliverer,
  statuspageDeliverer,
} from '.';
import { FakeSlack } from './__testUtils__/FakeSlack';
import { FakeStatuspage } from './__testUtils__/FakeStatuspage';
import { setupOutbox } from './__testUtils__/testOutbox';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const summary = (fields: Partial<Record<string, number>>) => ({
  claimed: 1,
  delivered: 0,
  retrying: 0,
  dead: 0,
  leaseLost: 0,
  ...fields,
});

describe.each(databases.eachSupportedId())('notify deliverers on %p', id => {
  let slack: FakeSlack;
  let statuspage: FakeStatuspage;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
    statuspage = await new FakeStatuspage().start();
  });
  afterEach(async () => {
    await Promise.all([slack.close(), statuspage.close()]);
  });

  const setup = (token = slack.token, apiKey = statuspage.apiKey) =>
    setupOutbox(databases, id, {
      slack: slackDeliverer({
        token,
        channel: slack.channel,
        url: slack.url,
      }),
      statuspage: statuspageDeliverer({
        apiKey,
        pageId: statuspage.pageId,
        url: statuspage.url,
        components: {},
      }),
    });

  const enqueueSlack = (outbox: Outbox, db: any, key: string, text: string) =>
    outbox.enqueue(
      [{ idempotencyKey: key, target: 'slack', payload: { text } }],
      db,
    );

  describe('Slack', () => {
    it('posts once, with the key in the message metadata', async () => {
      const { db, outbox, worker } = await setup();
      slack.addMessage('someone else');
      await enqueueSlack(
        outbox,
        db,
        'ops-notify:slack:k1',
        'Rolling back payments',
      );

      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      expect(await worker.deliverDue()).toEqual(summary({ claimed: 0 }));

      expect(slack.messages.map(m => [m.text, m.metadata])).toEqual([
        ['someone else', undefined],
        [
          'Rolling back payments',
          {
            event_type: SLACK_NOTIFY_EVENT,
            event_payload: { key: 'ops-notify:slack:k1' },
          },
        ],
      ]);
      const history = slack.requests.find(
        r => r.route === 'conversations.history',
      )!;
      expect(Object.fromEntries(history.query)).toEqual({
        channel: slack.channel,
        limit: '100',
        include_all_metadata: 'true',
      });
      expect((await outbox.getByKey('ops-notify:slack:k1'))?.state).toBe(
        'delivered',
      );
    });

    it('does not post again when the answer to the post was lost', async () => {
      const { db, outbox, worker, clock } = await setup();
      slack.dropReplyNext('chat.postMessage');
      await enqueueSlack(outbox, db, 'ops-notify:slack:k2', 'Mitigated');

      expect(await worker.deliverDue()).toEqual(summary({ retrying: 1 }));
      expect(slack.messages).toHaveLength(1); // posted, answer lost

      clock.advance(60_000);
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      expect(slack.count('chat.postMessage')).toBe(1);
      expect(slack.messages).toHaveLength(1);
    });

    it('retries while Slack is down or rate limited, then posts once', async () => {
      const { db, outbox, worker, clock } = await setup();
      slack.failNext('conversations.history', 1, {
        status: 503,
        body: { ok: false, error: 'service_unavailable' },
      });
      slack.rateLimitNext('chat.postMessage', 120);
      await enqueueSlack(outbox, db, 'ops-notify:slack:k3', 'Investigating');

      expect(await worker.deliverDue()).toEqual(summary({ retrying: 1 }));
      let row = await outbox.getByKey('ops-notify:slack:k3');
      expect(row).toMatchObject({
        state: 'pending',
        lastStatus: 503,
        lastError: 'Slack conversations.history: HTTP 503',
      });

      clock.advance(60_000);
      expect(await worker.deliverDue()).toEqual(summary({ retrying: 1 }));
      row = await outbox.getByKey('ops-notify:slack:k3');
      expect(row).toMatchObject({
        lastStatus: 429,
        lastError: 'Slack chat.postMessage: HTTP 429',
      });
      // Retry-After: 120 s is honoured.
      expect(Date.parse(row!.nextAttemptAt) - clock.ms).toBe(120_000);
      clock.advance(60_000);
      expect(await worker.deliverDue()).toEqual(summary({ claimed: 0 }));

      clock.advance(60_000);
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      expect(slack.messages.map(m => m.text)).toEqual(['Investigating']);
    });

    it('retries an ok:false internal_error answered with HTTP 200', async () => {
      const { db, outbox, worker, clock } = await setup();
      slack.failNext('chat.postMessage', 1, {
        status: 200,
        body: { ok: false, error: 'internal_error' },
      });
      await enqueueSlack(outbox, db, 'ops-notify:slack:k5', 'Update');
      expect(await worker.deliverDue()).toEqual(summary({ retrying: 1 }));
      expect((await outbox.getByKey('ops-notify:slack:k5'))?.lastError).toBe(
        'Slack chat.postMessage: internal_error',
      );
      clock.advance(60_000);
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      expect(slack.messages).toHaveLength(1);
    });

    it('dead-letters an auth error at once, without the token in the error', async () => {
      const { db, outbox, worker } = await setup('xoxb-wrong-token');
      await enqueueSlack(outbox, db, 'ops-notify:slack:k4', 'Hello');

      expect(await worker.deliverDue()).toEqual(summary({ dead: 1 }));
      const row = await outbox.getByKey('ops-notify:slack:k4');
      expect(row).toMatchObject({
        state: 'dead',
        attempts: 1,
        lastError: 'Slack conversations.history: invalid_auth',
      });
      expect(JSON.stringify(row)).not.toContain('xoxb-wrong-token');
      expect(slack.messages).toHaveLength(0);
    });

    it('dead-letters an invalid payload', async () => {
      const { db, outbox, worker } = await setup();
      await outbox.enqueue(
        [{ idempotencyKey: 'bad', target: 'slack', payload: { text: '' } }],
        db,
      );
      expect(await worker.deliverDue()).toEqual(summary({ dead: 1 }));
      expect((await outbox.getByKey('bad'))?.lastError).toBe(
        'Invalid Slack payload (text)',
      );
      expect(slack.requests).toHaveLength(0);
    });
  });

  describe('Statuspage', () => {
    const payload = (
      fields: Partial<StatuspagePayload> = {},
    ): StatuspagePayload => ({
      incidentKey: 'task-1',
      title: 'Checkout errors',
      status: 'investigating',
      message: 'We are investigating failed payments.',
      componentId: 'cmp_payments',
      at: '2026-11-26T10:00:00.000Z',
      ...fields,
    });
    const enqueue = (
      outbox: Outbox,
      db: any,
      key: string,
      p: StatuspagePayload,
    ) =>
      outbox.enqueue(
        [{ idempotencyKey: key, target: 'statuspage', payload: p }],
        db,
      );

    it('creates an incident, then updates the same one', async () => {
      const { db, outbox, worker } = await setup();
      await enqueue(outbox, db, 'sp:1', payload());
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));

      expect(statuspage.incidents).toHaveLength(1);
      const [incident] = statuspage.incidents;
      expect(incident).toMatchObject({
        name: 'Checkout errors',
        status: 'investigating',
        metadata: {
          ops_notify: {
            incident_key: 'task-1',
            delivery_key: 'sp:1',
            at: '2026-11-26T10:00:00.000Z',
          },
        },
      });
      expect(statuspage.components.get('cmp_payments')?.status).toBe(
        'degraded_performance',
      );
      const create = statuspage.requests.find(r => r.route === 'create')!;
      expect(create.headers.authorization).toBe(`OAuth ${statuspage.apiKey}`);

      await enqueue(
        outbox,
        db,
        'sp:2',
        payload({
          status: 'resolved',
          message: 'Payments work again.',
          at: '2026-11-26T10:30:00.000Z',
        }),
      );
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));

      expect(statuspage.incidents).toHaveLength(1);
      expect(incident.status).toBe('resolved');
      expect(incident.incident_updates.map(u => [u.status, u.body])).toEqual([
        ['resolved', 'Payments work again.'],
        ['investigating', 'We are investigating failed payments.'],
      ]);
      expect(statuspage.components.get('cmp_payments')?.status).toBe(
        'operational',
      );
      expect(statuspage.count('update')).toBe(1);

      // A later notification of the resolved incident finds it among the recent ones.
      await enqueue(
        outbox,
        db,
        'sp:3',
        payload({
          status: 'resolved',
          message: 'Postmortem to follow.',
          at: '2026-11-26T11:00:00.000Z',
        }),
      );
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      expect(statuspage.incidents).toHaveLength(1);
      expect(incident.incident_updates).toHaveLength(3);
    });

    it('does not create twice when the answer to the create was lost', async () => {
      const { db, outbox, worker, clock } = await setup();
      statuspage.dropReplyNext('create');
      await enqueue(outbox, db, 'sp:lost', payload());

      expect(await worker.deliverDue()).toEqual(summary({ retrying: 1 }));
      expect(statuspage.incidents).toHaveLength(1);

      clock.advance(60_000);
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      expect(statuspage.count('create')).toBe(1);
      expect(statuspage.count('update')).toBe(0);
      expect(statuspage.incidents[0].incident_updates).toHaveLength(1);
    });

    it('never lets an older notification overwrite a newer one', async () => {
      const { db, outbox, worker } = await setup();
      await enqueue(
        outbox,
        db,
        'sp:new',
        payload({
          status: 'resolved',
          message: 'Fixed.',
          at: '2026-11-26T10:30:00.000Z',
        }),
      );
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      await enqueue(outbox, db, 'sp:old', payload());
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));

      expect(statuspage.incidents).toHaveLength(1);
      expect(statuspage.incidents[0].status).toBe('resolved');
      expect(statuspage.count('update')).toBe(0);
    });

    it('dead-letters a wrong API key; retries a 5xx', async () => {
      const bad = await setup('unused', 'wrong-key');
      await enqueue(bad.outbox, bad.db, 'sp:auth', payload());
      expect(await bad.worker.deliverDue()).toEqual(summary({ dead: 1 }));
      expect((await bad.outbox.getByKey('sp:auth'))?.lastError).toBe(
        'Statuspage unresolved incidents: HTTP 401',
      );

      const { db, outbox, worker, clock } = await setup();
      statuspage.failNext('create', 1, { status: 502 });
      await enqueue(outbox, db, 'sp:5xx', payload());
      expect(await worker.deliverDue()).toEqual(summary({ retrying: 1 }));
      clock.advance(60_000);
      expect(await worker.deliverDue()).toEqual(summary({ delivered: 1 }));
      expect(statuspage.incidents).toHaveLength(1);
    });
  });
});
