import type { DeliveryAttempt } from '@internal/plugin-ops-node';
import type {
  ExternalAlertNotification,
  OpsAlertNotification,
  SloAlertNotification,
} from '@internal/plugin-slo-common';
import { externalIdempotencyKey } from '../../external/deliveries';

/** A notification as the evaluation would enqueue it, for tests. */
export function testNotification(
  event: SloAlertNotification['event'] = 'fired',
  overrides: Partial<SloAlertNotification> = {},
): SloAlertNotification {
  return {
    event,
    alertId: 'a-1f2e3d',
    dedupKey: 'checkout-availability:fast-burn',
    at: '2026-12-02T10:15:00.000Z',
    objective: {
      id: 'checkout-availability',
      displayName: 'Checkout availability',
      service: 'checkout',
      entityRef: 'component:default/checkout',
      owner: 'group:default/payments-team',
      target: 0.999,
      windowLabel: '30d rolling',
    },
    tier: {
      name: 'fast-burn',
      severity: 'page',
      threshold: 14.4,
      longWindow: '1h',
      shortWindow: '5m',
    },
    burnRates: { long: 15.2, short: 18.75 },
    budgetRemaining: 0.82,
    ...(event === 'acknowledged' && {
      actor: { by: 'user:default/jane', reason: 'looking into it' },
    }),
    ...(event === 'silenced' && {
      actor: {
        by: 'user:default/jane',
        reason: 'planned maintenance',
        until: '2026-12-02T12:00:00.000Z',
      },
    }),
    links: {
      objective:
        'https://portal.example.com/slo/objectives/checkout-availability',
      runbook: 'https://runbooks.example.com/checkout',
      rollback: 'https://portal.example.com/create/rollback?service=checkout',
    },
    ...overrides,
  };
}

/** An external alert (from the security plugin) as `POST /external-alerts` would enqueue it, for tests. */
export function testExternalNotification(
  event: ExternalAlertNotification['event'] = 'fired',
  overrides: Partial<ExternalAlertNotification> = {},
): ExternalAlertNotification {
  return {
    kind: 'external',
    source: 'security',
    alertId: 'brute-force:42',
    dedupKey: 'security:brute-force:42',
    event,
    severity: 'page',
    title: 'Brute force against the portal sign-in',
    summary: '120 failed sign-ins in 5 minutes, then one success <script>',
    at: '2026-12-02T10:15:00.000+01:00',
    service: 'portal',
    entityRef: 'group:default/platform',
    link: 'https://portal.example.com/security/alerts/42',
    fields: { rule: 'brute-force', attempts: '120', window: '5m' },
    ...overrides,
  };
}

let nextId = 1;

/** The attempt the outbox worker would hand a deliverer. */
export function attemptOf(
  notification: OpsAlertNotification,
  target: string,
  attempt = 1,
): DeliveryAttempt {
  return {
    id: nextId++,
    target,
    payload: notification,
    idempotencyKey:
      notification.kind === 'external'
        ? externalIdempotencyKey(notification, target)
        : `slo-alert:${notification.alertId}:${notification.event}:${target}`,
    attempt,
  };
}
