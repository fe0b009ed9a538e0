import { createHash } from 'node:crypto';
import type { NewDelivery } from '@internal/plugin-ops-node';
import type {
  ExternalAlertNotification,
  externalAlertSchema,
} from '@internal/plugin-slo-common';
import type { z } from 'zod';
import type { PortalLinks } from '../alerts/notifications';

/** A request body that passed `externalAlertSchema`. */
export type ParsedExternalAlert = z.output<typeof externalAlertSchema>;

/** The outbox limit of an idempotency key. */
const MAX_KEY_LENGTH = 255;

/** The outbox payload: the alert, its dedup key, and its link made absolute with the portal's base URL. */
export function externalNotification(
  alert: ParsedExternalAlert,
  links: PortalLinks,
): ExternalAlertNotification {
  const base = links.baseUrl.replace(/\/+$/, '');
  return {
    ...alert,
    kind: 'external',
    dedupKey: `${alert.source}:${alert.alertId}`,
    link: alert.link.startsWith('/') ? `${base}${alert.link}` : alert.link,
  };
}

/**
 * `external:<source>:<alertId>:<event>:<target>`; when that would pass the
 * outbox's 255 characters, the alert id is replaced by `#` and its SHA-256
 * (`#` is never part of an alert id, so the two forms cannot meet).
 */
export function externalIdempotencyKey(
  n: Pick<ExternalAlertNotification, 'source' | 'alertId' | 'event'>,
  target: string,
): string {
  const key = (alertPart: string) =>
    `external:${n.source}:${alertPart}:${n.event}:${target}`;
  const plain = key(n.alertId);
  if (plain.length <= MAX_KEY_LENGTH) return plain;
  return key(`#${createHash('sha256').update(n.alertId).digest('hex')}`);
}

/** One delivery per target routed for the alert's severity. */
export function externalDeliveries(
  n: ExternalAlertNotification,
  targets: readonly string[],
): NewDelivery[] {
  return targets.map(target => ({
    idempotencyKey: externalIdempotencyKey(n, target),
    target,
    payload: n,
  }));
}
