import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { AuditEntry } from '@internal/plugin-ops-node';
import { auditedAction, describeError } from './auditedAction';

/** An action that records its runs, or throws `failWith`. */
function testAction(runs: string[], failWith?: Error) {
  return createTemplateAction({
    id: 'ops:test:do',
    description: 'Does a thing',
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z => z.string(),
        reason: z => z.string().optional(),
      },
    },
    async handler(ctx) {
      runs.push(ctx.isDryRun ? 'dry' : 'real');
      if (failWith) throw failWith;
      ctx.output('done', true);
    },
  });
}

function context(options: { isDryRun?: boolean; user?: string | null } = {}) {
  const output: Record<string, unknown> = {};
  const user =
    options.user === null ? undefined : options.user ?? 'user:default/amy';
  const ctx = {
    input: { entityRef: 'component:default/payments', reason: 'Ask Jane Doe' },
    isDryRun: options.isDryRun ?? false,
    logger: mockServices.logger.mock(),
    output: (name: string, value: unknown) => {
      output[name] = value;
    },
    getInitiatorCredentials: async () =>
      mockCredentials.user(user ?? 'user:default/x'),
    ...(user && { user: { ref: user } }),
    workspacePath: '/tmp',
    checkpoint: async ({ fn }: any) => fn(),
    createTemporaryDirectory: async () => '/tmp',
    task: { id: 'task-1' },
    step: { id: 'rollback', name: 'Roll back' },
    templateInfo: { entityRef: 'template:default/rollback-bad-deploy' },
  } as any;
  return { ctx, output };
}

describe('auditedAction', () => {
  const setup = (failWith?: Error) => {
    const runs: string[] = [];
    const events: AuditEntry[] = [];
    const action = auditedAction(testAction(runs, failWith), async entry => {
      events.push(entry);
    });
    return { action, runs, events };
  };

  it('keeps the action as it is: id, schema, dry-run support', () => {
    const runs: string[] = [];
    const inner = testAction(runs);
    const action = auditedAction(inner, async () => {});
    expect(action.id).toBe('ops:test:do');
    expect(action.supportsDryRun).toBe(true);
    expect(action.schema).toBe(inner.schema);
  });

  it('writes one succeeded event after a run, naming who ran what on which entity, and no inputs', async () => {
    const { action, runs, events } = setup();
    const { ctx, output } = context();

    await action.handler(ctx);

    expect(runs).toEqual(['real']);
    expect(output).toEqual({ done: true });
    expect(events).toEqual([
      {
        type: 'scaffolder.action',
        actor: 'user:default/amy',
        recordId: 'task-1',
        data: {
          action: 'ops:test:do',
          step: 'rollback',
          entityRef: 'component:default/payments',
          template: 'template:default/rollback-bad-deploy',
          outcome: 'succeeded',
        },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('Jane Doe');
  });

  it('writes a failed event with the message, URLs replaced, and rethrows the error', async () => {
    const error = new Error(
      'GET https://k8s.internal:6443/apis/apps/v1/namespaces/shop/deployments?token=abc failed: HTTP 503',
    );
    const { action, events } = setup(error);

    await expect(action.handler(context().ctx)).rejects.toBe(error);

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'scaffolder.action',
      actor: 'user:default/amy',
      recordId: 'task-1',
      data: {
        action: 'ops:test:do',
        outcome: 'failed',
        error: 'GET <url> failed: HTTP 503',
      },
    });
  });

  it('writes nothing for a dry run, which still runs the action', async () => {
    const { action, runs, events } = setup();
    await action.handler(context({ isDryRun: true }).ctx);
    expect(runs).toEqual(['dry']);
    expect(events).toEqual([]);

    const failing = setup(new Error('refused'));
    await expect(
      failing.action.handler(context({ isDryRun: true }).ctx),
    ).rejects.toThrow('refused');
    expect(failing.events).toEqual([]);
  });

  it('names an unknown actor when the task has no user', async () => {
    const { action, events } = setup();
    await action.handler(context({ user: null }).ctx);
    expect(events.map(e => e.actor)).toEqual(['unknown']);
  });
});

describe('describeError', () => {
  it('replaces URLs of any scheme and keeps the message short', () => {
    expect(
      describeError(
        new Error('POST http://10.0.0.5:7007/api/evidence/changes refused'),
      ),
    ).toBe('POST <url> refused');
    expect(describeError('redis://cache:6379 down')).toBe('<url> down');
    expect(describeError(new Error('x'.repeat(1000)))).toHaveLength(300);
  });
});
