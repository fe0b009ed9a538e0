import {
  classifyHttpStatus,
  type DeliveryResult,
  type OutboxDeliverer,
} from '@internal/plugin-ops-node';
import { z } from 'zod';

/** The outbox target of change records filed as evidence. */
export const EVIDENCE_TARGET = 'evidence';

export interface ChangeEvidenceDelivererOptions {
  /** The evidence plugin's base URL (the discovery service's). */
  baseUrl: () => Promise<string>;
  /** Headers of every request: a service token for `evidence`. */
  headers: () => Promise<Record<string, string>>;
  /** Records the item a change was filed as; idempotent. */
  recordFiled: (changeKey: string, itemId: string) => Promise<void>;
  fetch?: typeof fetch;
  /** Default 10 000 ms. */
  requestTimeoutMs?: number;
}

const filedSchema = z.object({ id: z.string().min(1) });
const payloadSchema = z.object({ key: z.string().min(1) }).passthrough();

/** The name of a network error, never its URL. */
function networkErrorName(error: unknown): string {
  const { name, cause } = (error ?? {}) as {
    name?: unknown;
    cause?: { code?: unknown };
  };
  if (name === 'TimeoutError') return 'timed out';
  if (typeof cause?.code === 'string') return cause.code;
  return typeof name === 'string' ? name : 'unknown error';
}

/**
 * Files a change record (a `ChangeRecordRequest`, the payload) with the
 * evidence plugin's `POST /changes`. The plugin files a key once, answering
 * later deliveries of it with the same item, so a retry never files twice.
 * Network errors, 408, 425, 429 and 5xx are retried; other refusals are
 * permanent. Errors name the status, never a URL or a body.
 */
export function changeEvidenceDeliverer(
  options: ChangeEvidenceDelivererOptions,
): OutboxDeliverer {
  return {
    async deliver(attempt): Promise<DeliveryResult> {
      const payload = payloadSchema.safeParse(attempt.payload);
      if (!payload.success) {
        return { outcome: 'permanent', error: 'Not a change record' };
      }
      let response: Response;
      try {
        const base = (await options.baseUrl()).replace(/\/+$/, '');
        response = await (options.fetch ?? fetch)(`${base}/changes`, {
          method: 'POST',
          headers: {
            ...(await options.headers()),
            accept: 'application/json',
            'content-type': 'application/json',
            'idempotency-key': attempt.idempotencyKey,
          },
          body: JSON.stringify(payload.data),
          redirect: 'manual',
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
        });
      } catch (error) {
        return {
          outcome: 'retry',
          error: `HTTP request failed (${networkErrorName(
            error,
          )}) filing a change record`,
        };
      }
      const status = response.status;
      const outcome = classifyHttpStatus(status);
      if (outcome !== 'delivered') {
        await response.body?.cancel().catch(() => {});
        const error = `HTTP ${status} filing a change record`;
        return outcome === 'retry'
          ? {
              outcome,
              status,
              error,
              retryAfter: response.headers.get('retry-after') ?? undefined,
            }
          : { outcome, status, error };
      }
      const item = filedSchema.safeParse(
        await response.json().catch(() => ({})),
      );
      if (!item.success) {
        return {
          outcome: 'retry',
          status,
          error: `Unexpected answer of the evidence plugin (HTTP ${status}) filing a change record`,
        };
      }
      await options.recordFiled(payload.data.key, item.data.id);
      return { outcome: 'delivered', status };
    },
  };
}
