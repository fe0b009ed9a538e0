import {
  classifyHttpStatus,
  type DeliveryAttempt,
  type DeliveryResult,
  type OutboxDeliverer,
} from '@internal/plugin-ops-node';
import {
  externalAlertSchema,
  type OpsAlertNotification,
} from '@internal/plugin-slo-common';
import { z } from 'zod';
import { describeAlert } from './describe';

/** A vendor request as a notifier would send it (and the demo sink records it). */
export interface RenderedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Path below the vendor's base URL, with its query string. */
  path: string;
  body?: unknown;
}

/**
 * Thrown inside a deliverer to end the attempt with `result`. Its message is
 * the result's error text, which never holds a URL, a body or a secret.
 */
export class DeliveryFailure extends Error {
  constructor(
    readonly result: Exclude<DeliveryResult, { outcome: 'delivered' }>,
  ) {
    super(result.error);
    this.name = 'DeliveryFailure';
  }
}

export function permanent(error: string, status?: number): DeliveryFailure {
  return new DeliveryFailure({ outcome: 'permanent', error, status });
}

/** Runs a deliverer body: a `DeliveryFailure` becomes its result. */
export async function settle(
  body: () => Promise<DeliveryResult>,
): Promise<DeliveryResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof DeliveryFailure) {
      return error.result;
    }
    throw error;
  }
}

/** The fields of an `SloAlertNotification` the notifiers rely on. */
const notificationSchema = z
  .object({
    event: z.enum(['fired', 'resolved', 'acknowledged', 'silenced']),
    alertId: z.string().min(1),
    dedupKey: z.string().min(1),
    at: z.string(),
    objective: z
      .object({
        id: z.string(),
        displayName: z.string(),
        service: z.string(),
        target: z.number(),
        windowLabel: z.string(),
      })
      .passthrough(),
    tier: z
      .object({
        name: z.string(),
        severity: z.enum(['page', 'ticket']),
        threshold: z.number(),
        longWindow: z.string(),
        shortWindow: z.string(),
      })
      .passthrough(),
    burnRates: z.object({
      long: z.number().nullable(),
      short: z.number().nullable(),
    }),
    budgetRemaining: z.number(),
    links: z.object({ objective: z.string() }).passthrough(),
  })
  .passthrough();

/** An external alert as the external-alerts route enqueues it. */
const externalNotificationSchema = externalAlertSchema
  .extend({ kind: z.literal('external'), dedupKey: z.string().min(1) })
  .passthrough();

/**
 * The delivery's payload as a notification (an external alert when its
 * `kind` says so, otherwise an SLO alert); anything else fails for good.
 */
export function readNotification(payload: unknown): OpsAlertNotification {
  const external = (payload as { kind?: unknown } | null)?.kind === 'external';
  const parsed = (
    external ? externalNotificationSchema : notificationSchema
  ).safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map(i => i.path.join('.') || '.');
    throw permanent(
      `Invalid ${external ? 'external' : 'SLO'} alert notification payload (${[
        ...new Set(fields),
      ].join(', ')})`,
    );
  }
  return parsed.data as OpsAlertNotification;
}

/** Text for a failed request without the URL (it may hold secrets). */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  const { name, cause } = (error ?? {}) as {
    name?: unknown;
    cause?: { code?: unknown };
  };
  if (name === 'TimeoutError') {
    return `request timed out after ${timeoutMs} ms`;
  }
  if (typeof cause?.code === 'string') {
    return `request failed: ${cause.code}`;
  }
  return `request failed: ${typeof name === 'string' ? name : 'unknown error'}`;
}

export interface VendorClientOptions {
  /** Names the vendor in error texts, e.g. `Jira`. */
  vendor: string;
  baseUrl: string;
  /** Added to every request; never part of an error text. */
  headers: Record<string, string>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface VendorResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

/**
 * Sends JSON requests to one vendor. A 2xx answer is returned; any other
 * status throws a `DeliveryFailure` classified with `classifyHttpStatus`
 * (with the `Retry-After` of a 429 or 503), and so does a network error
 * (retried). Error texts name the vendor, the operation and the status only.
 */
export function vendorClient(options: VendorClientOptions) {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  return async function call(
    operation: string,
    request: RenderedRequest,
    accept: (response: VendorResponse) => boolean = () => false,
  ): Promise<VendorResponse> {
    const headers = new Headers(options.headers);
    headers.set('accept', 'application/json');
    if (request.body !== undefined) {
      headers.set('content-type', 'application/json; charset=utf-8');
    }
    let response: Response;
    try {
      response = await doFetch(`${base}${request.path}`, {
        method: request.method,
        headers,
        body:
          request.body === undefined ? undefined : JSON.stringify(request.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DeliveryFailure({
        outcome: 'retry',
        error: `${options.vendor} ${operation}: ${describeNetworkError(
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
    const result: VendorResponse = {
      status: response.status,
      headers: response.headers,
      body,
    };
    const status = response.status;
    const outcome = classifyHttpStatus(status);
    if (outcome === 'delivered' || accept(result)) {
      return result;
    }
    const error = `${options.vendor} ${operation}: HTTP ${status}`;
    if (outcome === 'retry') {
      throw new DeliveryFailure({
        outcome: 'retry',
        status,
        error,
        retryAfter: response.headers.get('retry-after') ?? undefined,
      });
    }
    throw permanent(error, status);
  };
}

export type VendorCall = ReturnType<typeof vendorClient>;

/**
 * Runs `task`s of the same key one after the other (and others at once), so
 * that two deliveries of one alert in the same batch do not both miss the
 * other's issue or message in their look-ups. Across processes, the look-ups
 * before creating are what keep a vendor from holding two.
 */
export function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return function run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(task);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    tail.then(() => {
      if (tails.get(key) === tail) {
        tails.delete(key);
      }
    });
    return result;
  };
}

/**
 * A deliverer that reads each notification and hands it to `handle`, one
 * delivery of an alert at a time (per process): two deliveries of one alert
 * in a batch would otherwise both miss the other's lookup and both create.
 */
export function alertDeliverer(
  handle: (
    n: OpsAlertNotification,
    attempt: DeliveryAttempt,
  ) => Promise<DeliveryResult>,
): OutboxDeliverer {
  const queue = keyedQueue();
  return {
    deliver: attempt =>
      settle(async () => {
        const n = readNotification(attempt.payload);
        return queue(describeAlert(n).key, () => handle(n, attempt));
      }),
  };
}
