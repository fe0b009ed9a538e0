import type { NewDelivery } from '@internal/plugin-ops-node';
import type {
  SloAlert,
  SloAlertNotification,
  SloStatus,
} from '@internal/plugin-slo-common';
import type { StoredObjective } from '../objectives/ObjectiveStore';
import { windowLabel } from '../objectives/tiers';

/** Where links in notifications point. */
export interface PortalLinks {
  /** The portal's base URL (`app.baseUrl`). */
  baseUrl: string;
}

/** The objective's page in the portal. */
export function objectiveUrl(links: PortalLinks, objectiveRef: string) {
  return `${links.baseUrl}/slo/objectives/${encodeURIComponent(objectiveRef)}`;
}

/** The rollback template with the service filled in. */
export function rollbackUrl(links: PortalLinks, entityRef: string) {
  const formData = encodeURIComponent(JSON.stringify({ entity: entityRef }));
  return `${links.baseUrl}/create/templates/default/rollback-bad-deploy?formData=${formData}`;
}

/** What a notification says about one transition of an alert. */
export function buildNotification(input: {
  stored: StoredObjective;
  alert: Pick<SloAlert, 'id' | 'tier' | 'dedupKey'>;
  event: SloAlertNotification['event'];
  at: Date;
  status?: SloStatus;
  actor?: SloAlertNotification['actor'];
  links: PortalLinks;
}): SloAlertNotification {
  const { stored, alert, status } = input;
  const tier = stored.tiers.find(t => t.name === alert.tier);
  const evaluated = status?.tiers.find(t => t.name === alert.tier);
  const rate = (b?: { burnRate: number; noTraffic: boolean }) =>
    b && !b.noTraffic ? b.burnRate : null;
  return {
    event: input.event,
    alertId: alert.id,
    dedupKey: alert.dedupKey,
    at: input.at.toISOString(),
    objective: {
      id: stored.objective.id,
      displayName: stored.objective.displayName,
      service: stored.objective.service,
      entityRef: stored.entityRef,
      owner: stored.owner,
      target: stored.objective.target,
      windowLabel: windowLabel(stored.window),
    },
    tier: {
      name: alert.tier,
      severity: tier?.severity ?? 'ticket',
      threshold: tier?.threshold ?? 0,
      longWindow: tier?.longWindow ?? '',
      shortWindow: tier?.shortWindow ?? '',
    },
    burnRates: { long: rate(evaluated?.long), short: rate(evaluated?.short) },
    budgetRemaining: status?.budgetRemaining ?? 1,
    actor: input.actor,
    links: {
      objective: objectiveUrl(input.links, stored.objective.id),
      runbook: stored.runbook,
      rollback: stored.entityRef
        ? rollbackUrl(input.links, stored.entityRef)
        : undefined,
    },
  };
}

/**
 * One outbox delivery per target. The key names the alert, the event and the
 * target (and, for acknowledgements and silences, which one), so a retried
 * evaluation or request never enqueues a second.
 */
export function deliveriesFor(
  notification: SloAlertNotification,
  targets: readonly string[],
  occurrence?: string,
): NewDelivery[] {
  const event = occurrence
    ? `${notification.event}:${occurrence}`
    : notification.event;
  return targets.map(target => ({
    idempotencyKey: `slo-alert:${notification.alertId}:${event}:${target}`,
    target,
    payload: notification,
  }));
}
