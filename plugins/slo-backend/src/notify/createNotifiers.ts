import type { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  readValidatedConfig,
  type DeliveryAttempt,
  type OutboxDeliverer,
} from '@internal/plugin-ops-node';
import type { OpsAlertNotification } from '@internal/plugin-slo-common';
import { z } from 'zod';
import {
  backstageConfigSchema,
  backstageNotifier,
  renderBackstageRequest,
} from './backstage';
import { DemoSinkStore, demoSinkDeliverer } from './demoSink';
import type { RenderedRequest } from './http';
import { jiraConfigSchema, jiraNotifier, renderJiraRequest } from './jira';
import {
  pagerDutyConfigSchema,
  pagerDutyNotifier,
  renderPagerDutyRequest,
} from './pagerduty';
import { renderSlackRequest, slackConfigSchema, slackNotifier } from './slack';
import {
  renderStatuspageRequest,
  statuspageConfigSchema,
  statuspageNotifier,
} from './statuspage';
import type { AlertLinkStore } from './types';

const targetSchema = z.discriminatedUnion('type', [
  pagerDutyConfigSchema.extend({ type: z.literal('pagerduty') }),
  jiraConfigSchema.extend({ type: z.literal('jira') }),
  slackConfigSchema.extend({ type: z.literal('slack') }),
  statuspageConfigSchema.extend({ type: z.literal('statuspage') }),
  backstageConfigSchema.extend({ type: z.literal('backstage') }),
  z.object({ type: z.literal('demo') }).strict(),
]);

/** `slo.notifications.targets`: target name → `{type, ...}`. */
export const notificationTargetsSchema = z
  .record(
    z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'invalid target name'),
    targetSchema,
  )
  .default({});

export type NotificationTargetConfig = z.output<typeof targetSchema>;

export interface CreateNotifiersContext {
  links: AlertLinkStore;
  /** Needed by `backstage` targets. */
  notifications?: NotificationService;
  /** Needed by `demo` targets and in demo mode. */
  demoSink?: DemoSinkStore;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A target's settings without its `type`, as its notifier's strict schema takes them. */
function settingsOf<T extends { type: string }>(target: T): Omit<T, 'type'> {
  return Object.fromEntries(
    Object.entries(target).filter(([key]) => key !== 'type'),
  ) as Omit<T, 'type'>;
}

type Render = (
  n: OpsAlertNotification,
  attempt: DeliveryAttempt,
) => RenderedRequest;

/** What a target would send first, and the config values it must never show. */
function demoOf(target: NotificationTargetConfig): {
  render: Render;
  secrets: string[];
} {
  switch (target.type) {
    case 'pagerduty':
      return {
        render: n => renderPagerDutyRequest(n, target),
        secrets: [target.routingKey],
      };
    case 'jira':
      return {
        render: (n, a) =>
          renderJiraRequest(n, target, { idempotencyKey: a.idempotencyKey }),
        secrets: [target.apiToken],
      };
    case 'slack':
      return {
        render: (n, a) =>
          renderSlackRequest(n, target, { idempotencyKey: a.idempotencyKey }),
        secrets: [target.token],
      };
    case 'statuspage':
      return {
        render: n => renderStatuspageRequest(n, target),
        secrets: [target.apiKey],
      };
    case 'backstage':
      return { render: renderBackstageRequest, secrets: [] };
    default:
      return {
        render: n => ({ method: 'POST', path: '/', body: n }),
        secrets: [],
      };
  }
}

/** `slo.notifications.targets`, validated (an error names the target and the field). */
export function readNotificationTargets(
  config: Config,
): Record<string, NotificationTargetConfig> {
  return readValidatedConfig(
    config,
    'slo.notifications.targets',
    notificationTargetsSchema,
  );
}

/**
 * The deliverers of the targets in `slo.notifications.targets`, by name,
 * validated at start-up (an error names the target and the field). With
 * `demo: true` every target becomes a demo sink of its type, calling no
 * vendor.
 */
export function createNotifiers(
  config: Config,
  context: CreateNotifiersContext,
  options: { demo?: boolean } = {},
): Record<string, OutboxDeliverer> {
  const targets = readNotificationTargets(config);
  const notifiers: Record<string, OutboxDeliverer> = {};
  for (const [name, target] of Object.entries(targets)) {
    const factoryContext = {
      name,
      links: context.links,
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    };
    if (options.demo || target.type === 'demo') {
      if (!context.demoSink) {
        throw new Error(
          `SLO notification target '${name}' needs the demo sink, which is not available`,
        );
      }
      notifiers[name] = demoSinkDeliverer({
        store: context.demoSink,
        type: target.type,
        ...demoOf(target),
        // The portal's inbox is part of the portal: the demo fills it too.
        alsoDeliver:
          target.type === 'backstage' && context.notifications
            ? backstageNotifier({ notifications: context.notifications })
            : undefined,
      });
      continue;
    }
    switch (target.type) {
      case 'pagerduty':
        notifiers[name] = pagerDutyNotifier(settingsOf(target), factoryContext);
        break;
      case 'jira':
        notifiers[name] = jiraNotifier(settingsOf(target), factoryContext);
        break;
      case 'slack':
        notifiers[name] = slackNotifier(settingsOf(target), factoryContext);
        break;
      case 'statuspage':
        notifiers[name] = statuspageNotifier(
          settingsOf(target),
          factoryContext,
        );
        break;
      default:
        if (!context.notifications) {
          throw new Error(
            `SLO notification target '${name}' (backstage) needs the notifications service, which is not available`,
          );
        }
        notifiers[name] = backstageNotifier({
          notifications: context.notifications,
        });
    }
  }
  return notifiers;
}
