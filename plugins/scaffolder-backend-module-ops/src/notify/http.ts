import {
  classifyHttpStatus,
  type DeliveryResult,
} from '@internal/plugin-ops-node';
import type { z } from 'zod';

/**
 * Thrown inside a deliverer to end the attempt with `result`. Its message
 * never holds a URL, a body or a secret (it is stored and logged).
 */
export class DeliveryFailure extends Error {
  constructor(
    readonly result: Exclude<DeliveryResult, { outcome: 'delivered' }>,
  ) {
    super(result.error);
    this.name = 'DeliveryFailure';
  }
}

/** Runs a deliverer's body: a `DeliveryFailure` becomes its result. */
export async function settle(
  body: () => Promise<DeliveryResult>,
): Promise<DeliveryResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof DeliveryFailure) return error.result;
    throw error;
  }
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; undefined when empty or not JSON. */
  body: unknown;
}

export interface JsonClientOptions {
  /** Names the vendor in error texts, e.g. `Slack`. */
  vendor: string;
  baseUrl: string;
  /** Sent with every request; never part of an error text. */
  headers: Record<string, string>;
  fetch?: typeof fetch;
  /** Per request. Default 10 000 ms. */
  timeoutMs?: number;
}

function networkError(error: unknown, timeoutMs: number): string {
  const { name, cause } = (error ?? {}) as {
    name?: unknown;
    cause?: { code?: unknown };
  };
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (typeof cause?.code === 'string') return `request failed: ${cause.code}`;
  return `request failed: ${typeof name === 'string' ? name : 'unknown'}`;
}

/**
 * A JSON client for one vendor. Answers with a 2xx status are returned; other
 * statuses throw a `DeliveryFailure` classified by `classifyHttpStatus`
 * (retried with the answer's `Retry-After`, or permanent), and so do network
 * errors and timeouts (retried). Error texts name the vendor, the operation
 * and the status or error code, never the URL or a body.
 */
export function jsonClient(options: JsonClientOptions) {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async function call(
    operation: string,
    request: { method: string; path: string; body?: unknown },
  ): Promise<JsonResponse> {
    const headers = new Headers(options.headers);
    headers.set('accept', 'application/json');
    if (request.body !== undefined) {
      headers.set('content-type', 'application/json; charset=utf-8');
    }
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(
        `${options.baseUrl}${request.path}`,
        {
          method: request.method,
          headers,
          body:
            request.body === undefined
              ? undefined
              : JSON.stringify(request.body),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        },
      );
    } catch (error) {
      throw new DeliveryFailure({
        outcome: 'retry',
        error: `${options.vendor} ${operation}: ${networkError(
          error,
          timeoutMs,
        )}`,
      });
    }
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const status = response.status;
    const outcome = classifyHttpStatus(status);
    if (outcome === 'delivered') {
      return { status, headers: response.headers, body };
    }
    const error = `${options.vendor} ${operation}: HTTP ${status}`;
    throw new DeliveryFailure(
      outcome === 'retry'
        ? {
            outcome,
            status,
            error,
            retryAfter: response.headers.get('retry-after') ?? undefined,
          }
        : { outcome: 'permanent', status, error },
    );
  };
}

export type JsonCall = ReturnType<typeof jsonClient>;

/** Reads a delivery's payload; one that does not fit fails for good. */
export function readPayload<S extends z.ZodTypeAny>(
  what: string,
  schema: S,
  payload: unknown,
): z.output<S> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map(i => i.path.join('.') || '.');
  throw new DeliveryFailure({
    outcome: 'permanent',
    error: `Invalid ${what} payload (${[...new Set(fields)].join(', ')})`,
  });
}
