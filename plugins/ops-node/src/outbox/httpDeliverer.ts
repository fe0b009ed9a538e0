import { z } from 'zod';
import { classifyHttpStatus } from './retryPolicy';
import type { DeliveryAttempt, DeliveryResult, OutboxDeliverer } from './types';

/** The payload of a delivery to `httpDeliverer`. */
export const httpDeliveryPayloadSchema = z.object({
  url: z
    .string()
    .url()
    .refine(url => /^https?:\/\//i.test(url), 'must be an http(s) URL'),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  /** Stored with the delivery: no secrets (see `HttpDelivererOptions.headers`). */
  headers: z.record(z.string()).optional(),
  /** Sent as JSON; absent sends no body. */
  body: z.unknown().optional(),
});

export type HttpDeliveryPayload = z.input<typeof httpDeliveryPayloadSchema>;

export interface HttpDelivererOptions {
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** An attempt without a response by then fails (and is retried). Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Headers added at send time, e.g. a fresh service token or a secret from
   * config, so that credentials are never stored in the outbox table. They
   * override the payload's headers; a throw is a transient failure.
   */
  headers?: (request: {
    url: URL;
    target: string;
  }) => Record<string, string> | Promise<Record<string, string>>;
}

/** Text for a failed request without the URL or any body (they may hold secrets or personal data). */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  // Checked by shape: fetch's errors may come from another realm (DOMException).
  const { name, cause } = (error ?? {}) as {
    name?: unknown;
    cause?: { code?: unknown };
  };
  if (name === 'TimeoutError') {
    return `HTTP request timed out after ${timeoutMs} ms`;
  }
  if (typeof cause?.code === 'string') {
    return `HTTP request failed: ${cause.code}`;
  }
  return `HTTP request failed: ${
    typeof name === 'string' ? name : 'unknown error'
  }`;
}

/**
 * A deliverer that sends the payload's `body` as JSON to its `url`
 * (`HttpDeliveryPayload`), with the delivery's `Idempotency-Key` header.
 * 2xx is delivered; 408, 425, 429, 5xx and network errors are retried
 * (honouring `Retry-After`); any other status is a permanent failure, and so
 * is a payload that is not a valid request. Error texts name the status or
 * network error code only, never the URL or a body.
 */
export function httpDeliverer(
  options: HttpDelivererOptions = {},
): OutboxDeliverer {
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    async deliver(attempt: DeliveryAttempt): Promise<DeliveryResult> {
      const parsed = httpDeliveryPayloadSchema.safeParse(attempt.payload);
      if (!parsed.success) {
        const fields = parsed.error.issues.map(i => i.path.join('.') || '.');
        return {
          outcome: 'permanent',
          error: `Invalid HTTP delivery payload (${[...new Set(fields)].join(
            ', ',
          )})`,
        };
      }
      const { url, method, body } = parsed.data;

      let headers: Headers;
      try {
        headers = new Headers(parsed.data.headers);
      } catch {
        return {
          outcome: 'permanent',
          error: 'Invalid HTTP delivery payload (headers)',
        };
      }
      if (body !== undefined && !headers.has('content-type')) {
        headers.set('content-type', 'application/json');
      }
      const extra = await options.headers?.({
        url: new URL(url),
        target: attempt.target,
      });
      for (const [name, value] of Object.entries(extra ?? {})) {
        headers.set(name, value);
      }
      headers.set('idempotency-key', attempt.idempotencyKey);

      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return {
          outcome: 'retry',
          error: describeNetworkError(error, timeoutMs),
        };
      }
      // The body is never read: it is not needed and may hold personal data.
      await response.body?.cancel().catch(() => {});

      const status = response.status;
      switch (classifyHttpStatus(status)) {
        case 'delivered':
          return { outcome: 'delivered', status };
        case 'retry':
          return {
            outcome: 'retry',
            status,
            error: `HTTP ${status}`,
            retryAfter: response.headers.get('retry-after') ?? undefined,
          };
        default:
          return { outcome: 'permanent', status, error: `HTTP ${status}` };
      }
    },
  };
}
