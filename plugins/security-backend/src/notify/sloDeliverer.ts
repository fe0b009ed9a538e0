import {
  httpDeliverer,
  type DeliveryAttempt,
  type DeliveryResult,
  type OutboxDeliverer,
} from '@internal/plugin-ops-node';
import { externalAlertSchema } from '@internal/plugin-slo-common';

export interface SloAlertDelivererOptions {
  /** The SLO plugin's base URL (discovery). */
  baseUrl: () => Promise<string>;
  /** Send-time headers: a plugin request token for `slo`. Never stored. */
  headers: () => Promise<Record<string, string>>;
  /** Records how an alert's `fired` notification went. */
  record: (alertId: string, state: 'sent' | 'failed') => Promise<void>;
  /** Attempts the outbox worker makes; the last failed one marks the alert `failed`. */
  maxAttempts?: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Delivers an alert notification (its payload is the body of `POST
 * /api/slo/external-alerts`) with the security plugin's own service token.
 * 2xx (202) is delivered and marks the alert `sent`; 408/425/429/5xx and
 * network errors are retried by the outbox; any other 4xx is permanent and
 * marks it `failed`, as does the last retried attempt. Only `fired`
 * deliveries change the alert's notification state.
 */
export function sloAlertDeliverer(
  options: SloAlertDelivererOptions,
): OutboxDeliverer {
  const http = httpDeliverer({
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    headers: () => options.headers(),
  });
  const maxAttempts = options.maxAttempts ?? 8;
  return {
    async deliver(attempt: DeliveryAttempt): Promise<DeliveryResult> {
      const body = externalAlertSchema.safeParse(attempt.payload);
      if (!body.success) {
        return {
          outcome: 'permanent',
          error: 'Invalid external alert payload',
        };
      }
      const base = (await options.baseUrl()).replace(/\/+$/, '');
      const result = await http.deliver({
        ...attempt,
        payload: { url: `${base}/external-alerts`, body: attempt.payload },
      });
      if (body.data.event === 'fired') {
        if (result.outcome === 'delivered') {
          await options.record(body.data.alertId, 'sent');
        } else if (
          result.outcome === 'permanent' ||
          attempt.attempt >= maxAttempts
        ) {
          await options.record(body.data.alertId, 'failed');
        }
      }
      return result;
    },
  };
}
