import { createHash } from 'node:crypto';
import { parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { NewDelivery, Outbox } from '@internal/plugin-ops-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { Knex } from 'knex';
import {
  INCIDENT_STATUSES,
  NOTIFY_CONFIG_KEY,
  NOTIFY_TARGETS,
  NotifyConfig,
  NotifyTarget,
  readNotifyConfig,
  SlackPayload,
  StatuspagePayload,
} from '../notify';

export type NotifyActionOptions = {
  /** Root config: `ops.scaffolder.notify` (read and checked at once). */
  config: Config;
  /** Where deliveries are enqueued. */
  outbox: Pick<Outbox, 'enqueue'>;
  /** The database of the outbox table. */
  db: Knex;
  /** Called once after enqueuing, e.g. `() => worker.deliverDue()`. */
  deliverNow?: () => Promise<unknown>;
  /** The state of a delivery by key, e.g. `k => outbox.getByKey(k).then(d => d?.state)`. */
  stateOf?: (idempotencyKey: string) => Promise<string | undefined>;
  /** Clock (tests). */
  now?: () => Date;
};

export const NOTIFY_ACTION_ID = 'ops:notify';

const TARGET_NAMES: Record<NotifyTarget, string> = {
  slack: 'Slack',
  statuspage: 'Statuspage',
};

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

/** The default key: one per task step (and `each` item), stable across retries. */
export function defaultNotifyKey(ctx: {
  task: { id: string };
  step?: { id?: string };
  each?: unknown;
}): string {
  const parts = [ctx.task.id, ctx.step?.id ?? 'notify'];
  if (ctx.each !== undefined) {
    parts.push(sha256(JSON.stringify(ctx.each)).slice(0, 16));
  }
  const key = parts.join(':');
  return key.length <= 200 ? key : sha256(key);
}

type Planned = { target: NotifyTarget; key: string; payload: unknown };

/** What each target would be sent, and the configuration problems that stop it. */
function plan(
  config: NotifyConfig,
  targets: NotifyTarget[],
  input: {
    message: string;
    title?: string;
    status?: (typeof INCIDENT_STATUSES)[number];
    entityRef?: string;
    incidentKey: string;
    skipUnconfigured?: boolean;
  },
  key: string,
  at: string,
): { planned: Planned[]; problems: string[]; skipped: string[] } {
  const planned: Planned[] = [];
  const problems: string[] = [];
  const skipped: string[] = [];
  for (const target of targets) {
    const idempotencyKey = `ops-notify:${target}:${key}`;
    if (!config[target] && input.skipUnconfigured) {
      skipped.push(
        `${TARGET_NAMES[target]} is not configured (${NOTIFY_CONFIG_KEY}.${target}): skipped`,
      );
      continue;
    }
    if (!config[target]) {
      problems.push(
        `${TARGET_NAMES[target]} is not configured: set ${NOTIFY_CONFIG_KEY}.${target}`,
      );
      continue;
    }
    if (target === 'slack') {
      const payload: SlackPayload = { text: input.message };
      planned.push({ target, key: idempotencyKey, payload });
      continue;
    }
    if (!input.status || !input.title) {
      throw new InputError(
        'A Statuspage notification needs the inputs status and title',
      );
    }
    let componentId: string | undefined;
    if (input.entityRef) {
      const name = parseEntityRef(input.entityRef, {
        defaultKind: 'component',
      }).name;
      componentId = config.statuspage!.components[name];
      if (!componentId) {
        problems.push(
          `No Statuspage component for entity ${name}: set ${NOTIFY_CONFIG_KEY}.statuspage.components.${name}`,
        );
        continue;
      }
    }
    const payload: StatuspagePayload = {
      incidentKey: input.incidentKey,
      title: input.title,
      status: input.status,
      message: input.message,
      ...(componentId && { componentId }),
      at,
    };
    planned.push({ target, key: idempotencyKey, payload });
  }
  return { planned, problems, skipped };
}

/**
 * `ops:notify`: sends a runbook's message to Slack and/or Statuspage through
 * the module's outbox, so a message is sent once even when the step or the
 * delivery is retried.
 */
export function createNotifyAction(options: NotifyActionOptions) {
  const config = readNotifyConfig(options.config);
  const now = options.now ?? (() => new Date());

  return createTemplateAction({
    id: NOTIFY_ACTION_ID,
    description:
      'Posts a message to Slack and/or opens or updates a Statuspage incident, through the outbox: delivered once, retried when the vendor is down.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Tell the incident channel',
        example: [
          'steps:',
          '  - id: tell-slack',
          '    action: ops:notify',
          '    name: Tell the incident channel',
          '    input:',
          '      channel: slack',
          '      message: Rolling back ${{ parameters.service }}: ${{ parameters.reason }}',
        ].join('\n'),
      },
      {
        description:
          'Open a Statuspage incident for the service (and post to Slack)',
        example: [
          'steps:',
          '  - id: open-incident',
          '    action: ops:notify',
          '    name: Open the public incident',
          '    input:',
          '      targets: [statuspage, slack]',
          '      status: investigating',
          '      title: Checkout errors',
          '      message: We are investigating failed payments.',
          '      entityRef: ${{ parameters.service }}',
          '      incidentKey: ${{ parameters.incidentId }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        channel: z =>
          z
            .enum(NOTIFY_TARGETS)
            .optional()
            .describe('Where to send: slack or statuspage (or use targets)'),
        targets: z =>
          z
            .array(z.enum(NOTIFY_TARGETS))
            .min(1)
            .optional()
            .describe('Several targets instead of channel'),
        message: z =>
          z
            .string()
            .min(1)
            .max(3000)
            .describe("The text: the runbook's communication template"),
        status: z =>
          z
            .enum(INCIDENT_STATUSES)
            .optional()
            .describe('Statuspage: the incident status'),
        title: z =>
          z
            .string()
            .min(1)
            .max(255)
            .optional()
            .describe('Statuspage: the incident name when it is opened'),
        entityRef: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'Statuspage: the affected entity; its component comes from ops.scaffolder.notify.statuspage.components',
            ),
        incidentKey: z =>
          z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe(
              'Statuspage: notifications with the same incidentKey update one incident (default: the task id)',
            ),
        key: z =>
          z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe(
              'Sends once per key (default: the task id and step id, so a retried step does not send twice)',
            ),
        skipUnconfigured: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Skip a target that is not configured (with a log line) instead of failing',
            ),
      },
      output: {
        deliveries: z =>
          z.array(
            z.object({
              target: z.string(),
              key: z.string(),
              state: z.string(),
            }),
          ),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      if (!input.channel === !input.targets) {
        throw new InputError(
          'Give exactly one of the inputs channel and targets',
        );
      }
      const targets = [
        ...new Set(input.targets ?? [input.channel as NotifyTarget]),
      ];
      const key = input.key ?? defaultNotifyKey(ctx);
      const { planned, problems, skipped } = plan(
        config,
        targets,
        { ...input, incidentKey: input.incidentKey ?? ctx.task.id },
        key,
        now().toISOString(),
      );

      for (const line of skipped) ctx.logger.info(line);
      if (ctx.isDryRun) {
        for (const p of planned) {
          ctx.logger.info(
            `Dry run: would send to ${TARGET_NAMES[p.target]}: ${
              input.message
            }`,
          );
        }
        for (const problem of problems) {
          ctx.logger.warn(`Dry run: a real run would fail: ${problem}`);
        }
        ctx.output(
          'deliveries',
          planned.map(p => ({
            target: p.target,
            key: p.key,
            state: 'dry-run',
          })),
        );
        return;
      }
      if (problems.length) {
        throw new InputError(problems.join('; '));
      }

      const deliveries: NewDelivery[] = planned.map(p => ({
        idempotencyKey: p.key,
        target: p.target,
        payload: p.payload,
      }));
      const created = await options.db.transaction(trx =>
        options.outbox.enqueue(deliveries, trx),
      );
      if (created < deliveries.length) {
        ctx.logger.info(
          'Some notifications were enqueued by an earlier run of this step; they are not sent again',
        );
      }
      if (options.deliverNow) {
        try {
          await options.deliverNow();
        } catch (error) {
          ctx.logger.warn(
            `Immediate delivery failed; the outbox worker will retry: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
      }
      const results = [];
      for (const p of planned) {
        const state = (await options.stateOf?.(p.key)) ?? 'pending';
        const name = TARGET_NAMES[p.target];
        if (state === 'dead') {
          ctx.logger.warn(
            `${name}: the notification could not be delivered and was dead-lettered (see the outbox, key ${p.key})`,
          );
        } else {
          ctx.logger.info(`${name}: ${state} (key ${p.key})`);
        }
        results.push({ target: p.target, key: p.key, state });
      }
      ctx.output('deliveries', results);
    },
  });
}
