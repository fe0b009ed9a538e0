import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createNotifyDeliverers, readNotifyConfig } from '../notify';
import { FakeSlack } from '../notify/__testUtils__/FakeSlack';
import { FakeStatuspage } from '../notify/__testUtils__/FakeStatuspage';
import { setupOutbox } from '../notify/__testUtils__/testOutbox';
import { createNotifyAction, defaultNotifyKey } from './notify';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('ops:notify on %p', id => {
  let slack: FakeSlack;
  let statuspage: FakeStatuspage;
  beforeEach(async () => {
    slack = await new FakeSlack().start();
    statuspage = await new FakeStatuspage().start();
  });
  afterEach(async () => {
    await Promise.all([slack.close(), statuspage.close()]);
  });

  const setup = async (
    targets: Array<'slack' | 'statuspage'> = ['slack', 'statuspage'],
  ) => {
    const notify = {
      ...(targets.includes('slack') && {
        slack: { token: slack.token, channel: slack.channel, url: slack.url },
      }),
      ...(targets.includes('statuspage') && {
        statuspage: {
          apiKey: statuspage.apiKey,
          pageId: statuspage.pageId,
          url: statuspage.url,
          components: { payments: 'cmp_payments' },
        },
      }),
    };
    const config = new ConfigReader({ ops: { scaffolder: { notify } } });
    const deliverers = createNotifyDeliverers(readNotifyConfig(config));
    const env = await setupOutbox(databases, id, {
      // The worker needs one deliverer even when nothing is configured.
      ...(Object.keys(deliverers).length
        ? deliverers
        : {
            none: { deliver: async () => ({ outcome: 'delivered' as const }) },
          }),
    });
    const action = createNotifyAction({
      config,
      outbox: env.outbox,
      db: env.db,
      deliverNow: () => env.worker.deliverDue(),
      stateOf: key => env.outbox.getByKey(key).then(d => d?.state),
      now: env.clock.now,
    });
    return { ...env, action };
  };

  const context = (
    input: Record<string, unknown>,
    options: { isDryRun?: boolean; taskId?: string; stepId?: string } = {},
  ) => {
    const output: Record<string, unknown> = {};
    const logger = mockServices.logger.mock();
    return {
      output,
      logger,
      ctx: {
        input,
        isDryRun: options.isDryRun ?? false,
        logger,
        output: (name: string, value: unknown) => {
          output[name] = value;
        },
        task: { id: options.taskId ?? 'task-1' },
        step: { id: options.stepId ?? 'tell' },
        workspacePath: '/tmp',
        checkpoint: async ({ fn }: any) => fn(),
        createTemporaryDirectory: async () => '/tmp',
        getInitiatorCredentials: async () => ({} as any),
      } as any,
    };
  };

  it('declares id, dry-run support, examples and schemas', async () => {
    const { action } = await setup();
    expect(action.id).toBe('ops:notify');
    expect(action.supportsDryRun).toBe(true);
    expect(action.examples?.length).toBeGreaterThan(0);
    expect((action.schema?.input as any).required).toEqual(['message']);
  });

  it('posts to Slack once, even when the step runs again', async () => {
    const { action } = await setup();
    const first = context({
      channel: 'slack',
      message: 'Rolling back payments',
    });
    await action.handler(first.ctx);
    expect(first.output.deliveries).toEqual([
      {
        target: 'slack',
        key: 'ops-notify:slack:task-1:tell',
        state: 'delivered',
      },
    ]);

    const again = context({
      channel: 'slack',
      message: 'Rolling back payments',
    });
    await action.handler(again.ctx);
    expect(again.output.deliveries).toEqual(first.output.deliveries);
    expect(slack.messages.map(m => m.text)).toEqual(['Rolling back payments']);
    expect(slack.count('chat.postMessage')).toBe(1);
  });

  it('opens a Statuspage incident for the entity and updates it in a later step', async () => {
    const { action, clock } = await setup();
    const open = context(
      {
        targets: ['statuspage', 'slack'],
        status: 'investigating',
        title: 'Checkout errors',
        message: 'We are investigating failed payments.',
        entityRef: 'component:default/payments',
      },
      { stepId: 'open' },
    );
    await action.handler(open.ctx);
    expect(open.output.deliveries).toEqual([
      {
        target: 'statuspage',
        key: 'ops-notify:statuspage:task-1:open',
        state: 'delivered',
      },
      {
        target: 'slack',
        key: 'ops-notify:slack:task-1:open',
        state: 'delivered',
      },
    ]);
    expect(statuspage.components.get('cmp_payments')?.status).toBe(
      'degraded_performance',
    );

    clock.advance(10 * 60_000);
    const resolve = context(
      {
        channel: 'statuspage',
        status: 'resolved',
        title: 'Checkout errors',
        message: 'Payments work again.',
        entityRef: 'payments',
      },
      { stepId: 'resolve' },
    );
    await action.handler(resolve.ctx);

    expect(statuspage.incidents).toHaveLength(1);
    expect(statuspage.incidents[0]).toMatchObject({
      name: 'Checkout errors',
      status: 'resolved',
      metadata: { ops_notify: { incident_key: 'task-1' } },
    });
    expect(statuspage.components.get('cmp_payments')?.status).toBe(
      'operational',
    );
    expect(slack.messages.map(m => m.text)).toEqual([
      'We are investigating failed payments.',
    ]);
  });

  it('reports a delivery that is still pending when Slack is down', async () => {
    const { action, outbox } = await setup();
    slack.failNext('conversations.history', 1, { status: 503 });
    const { ctx, output, logger } = context({
      channel: 'slack',
      message: 'Update',
    });
    await action.handler(ctx);
    expect(output.deliveries).toEqual([
      {
        target: 'slack',
        key: 'ops-notify:slack:task-1:tell',
        state: 'pending',
      },
    ]);
    expect(logger.info).toHaveBeenCalledWith(
      'Slack: pending (key ops-notify:slack:task-1:tell)',
    );
    expect(
      (await outbox.getByKey('ops-notify:slack:task-1:tell'))?.lastStatus,
    ).toBe(503);
    expect(slack.messages).toHaveLength(0);
  });

  it('fails naming the config key of a target that is not configured, enqueuing nothing', async () => {
    const { action, outbox } = await setup(['statuspage']);
    const { ctx } = context({
      targets: ['statuspage', 'slack'],
      status: 'investigating',
      title: 'T',
      message: 'M',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'Slack is not configured: set ops.scaffolder.notify.slack',
    );
    expect((await outbox.list()).totalCount).toBe(0);
  });

  it('fails naming the component mapping an entity lacks', async () => {
    const { action } = await setup();
    const { ctx } = context({
      channel: 'statuspage',
      status: 'investigating',
      title: 'T',
      message: 'M',
      entityRef: 'component:default/search',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'No Statuspage component for entity search: set ops.scaffolder.notify.statuspage.components.search',
    );
  });

  it('needs status and title for Statuspage, and one of channel and targets', async () => {
    const { action } = await setup();
    await expect(
      action.handler(context({ channel: 'statuspage', message: 'M' }).ctx),
    ).rejects.toThrow(
      'A Statuspage notification needs the inputs status and title',
    );
    await expect(action.handler(context({ message: 'M' }).ctx)).rejects.toThrow(
      'Give exactly one of the inputs channel and targets',
    );
  });

  it('a dry run enqueues nothing and logs what it would send or why it would fail', async () => {
    const { action, outbox } = await setup(['slack']);
    const { ctx, output, logger } = context(
      {
        targets: ['slack', 'statuspage'],
        status: 'identified',
        title: 'T',
        message: 'Rolling back payments',
      },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(output.deliveries).toEqual([
      {
        target: 'slack',
        key: 'ops-notify:slack:task-1:tell',
        state: 'dry-run',
      },
    ]);
    expect(logger.info).toHaveBeenCalledWith(
      'Dry run: would send to Slack: Rolling back payments',
    );
    expect(logger.warn).toHaveBeenCalledWith(
      'Dry run: a real run would fail: Statuspage is not configured: set ops.scaffolder.notify.statuspage',
    );
    expect((await outbox.list()).totalCount).toBe(0);
    expect(slack.requests).toHaveLength(0);
  });
});

describe('defaultNotifyKey', () => {
  it('is the task and step, with each item hashed, and at most 200 characters', () => {
    expect(defaultNotifyKey({ task: { id: 't' }, step: { id: 's' } })).toBe(
      't:s',
    );
    const a = defaultNotifyKey({
      task: { id: 't' },
      step: { id: 's' },
      each: { key: 0, value: 'a' },
    });
    const b = defaultNotifyKey({
      task: { id: 't' },
      step: { id: 's' },
      each: { key: 1, value: 'b' },
    });
    expect(a).toMatch(/^t:s:[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    expect(defaultNotifyKey({ task: { id: 'x'.repeat(300) } })).toHaveLength(
      64,
    );
  });
});
