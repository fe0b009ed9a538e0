import type { OutboxDeliverer } from '@internal/plugin-ops-node';
import type { NotificationSeverity } from '@backstage/plugin-notifications-common';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type { OpsAlertNotification } from '@internal/plugin-slo-common';
import { z } from 'zod';
import { describeAlert } from './describe';
import { RenderedRequest, permanent, readNotification, settle } from './http';

export const backstageConfigSchema = z.object({}).strict();

export type BackstageNotifierConfig = z.input<typeof backstageConfigSchema>;

/** The topic of every SLO alert notification in the portal. */
export const SLO_NOTIFICATION_TOPIC = 'slo-alert';

function severityOf(n: OpsAlertNotification): NotificationSeverity {
  if (n.event === 'resolved') {
    return 'low';
  }
  if (n.event !== 'fired') {
    return 'normal';
  }
  return describeAlert(n).severity === 'page' ? 'critical' : 'high';
}

/**
 * Who is told in the portal: an SLO objective's owning group, an external
 * alert's entity (a group's members, a user, or an entity's owners).
 */
function recipientOf(n: OpsAlertNotification): string | undefined {
  return n.kind === 'external' ? n.entityRef : n.objective.owner;
}

/**
 * The notification's scope: the delivery's idempotency key without its
 * target (`slo-alert:<alertId>:<event>[:<n>]`), so that a retried delivery
 * replaces the notification the notifications backend already holds.
 */
export function backstageScope(idempotencyKey: string, target: string): string {
  const suffix = `:${target}`;
  return idempotencyKey.endsWith(suffix)
    ? idempotencyKey.slice(0, -suffix.length)
    : idempotencyKey;
}

/**
 * What the notifier hands `NotificationService.send`, shown as the request
 * the notifications backend would receive (for the demo sink); for an objective
 * without an owner, the recipients are empty (the notifier refuses it).
 */
export function renderBackstageRequest(
  n: OpsAlertNotification,
  attempt: { idempotencyKey: string; target: string },
): RenderedRequest & { body: NotificationSendOptions } {
  const alert = describeAlert(n);
  return {
    method: 'POST',
    path: '/api/notifications/notifications',
    body: {
      recipients: { type: 'entity', entityRef: recipientOf(n) ?? [] },
      payload: {
        title: alert.title,
        description: alert.summary,
        link: alert.link,
        severity: severityOf(n),
        topic:
          n.kind === 'external' ? `${n.source}-alert` : SLO_NOTIFICATION_TOPIC,
        scope: backstageScope(attempt.idempotencyKey, attempt.target),
      },
    },
  };
}

/** Sends each notification to the objective's owner group in the portal. */
export function backstageNotifier(options: {
  notifications: NotificationService;
}): OutboxDeliverer {
  return {
    deliver: attempt =>
      settle(async () => {
        const n = readNotification(attempt.payload);
        if (!recipientOf(n)) {
          throw permanent(
            n.kind === 'external'
              ? 'Backstage notification: the external alert names no entity'
              : 'Backstage notification: the objective has no owner',
          );
        }
        await options.notifications.send(
          renderBackstageRequest(n, attempt).body,
        );
        return { outcome: 'delivered' };
      }),
  };
}
