/**
 * The outbox's retry rules as plain functions: exponential backoff,
 * `Retry-After` parsing, HTTP status classification, and the decision what a
 * failed attempt leads to. No I/O; the clock and randomness are arguments.
 */

/** Exponential backoff between attempts: `baseMs * 2^(attempt-1)`, capped at `maxMs`. */
export interface BackoffPolicy {
  /** Delay after the first failed attempt. Default 1 000 ms. */
  baseMs: number;
  /** Upper bound of any delay. Default 3 600 000 ms (1 h). */
  maxMs: number;
  /**
   * Fraction (0..1) of the delay that is randomly taken off, so that many
   * deliveries failing together do not retry together. Default 0.2: a delay
   * lies between 80% and 100% of the exponential value.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 1000,
  maxMs: 60 * 60 * 1000,
  jitter: 0.2,
};

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based).
 * `random` returns a number in [0, 1), like `Math.random`; 0 gives the exact
 * exponential value.
 */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(delay - delay * jitter * random());
}

/**
 * Milliseconds a `Retry-After` header value asks to wait, counted from `now`:
 * delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`).
 * A date in the past gives 0; an absent or unreadable value gives undefined.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: Date,
): number | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  // HTTP-dates always name a weekday or a month; this keeps bare numbers
  // with signs or decimals (which Date.parse would take as years) out.
  if (!/[a-z]/i.test(text)) {
    return undefined;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, at - now.getTime());
}

/** What a response status means for a delivery. */
export type HttpOutcome = 'delivered' | 'retry' | 'permanent';

/**
 * 2xx is delivered; 408, 425, 429 and 5xx are worth retrying; anything else
 * (other 4xx, and 1xx/3xx which a JSON API should not answer) will not get
 * better by sending the same request again.
 */
export function classifyHttpStatus(status: number): HttpOutcome {
  if (status >= 200 && status < 300) {
    return 'delivered';
  }
  if (status === 408 || status === 425 || status === 429) {
    return 'retry';
  }
  if (status >= 500 && status < 600) {
    return 'retry';
  }
  return 'permanent';
}

/** What happens to a delivery after a failed attempt. */
export type FailureDecision =
  | { state: 'pending'; nextAttemptAt: Date }
  | { state: 'dead' };

/**
 * Decides the fate of a delivery whose attempt number `attempt` (1-based)
 * failed: dead-lettered when the failure is permanent or the attempts are
 * used up; otherwise retried after the backoff, or after the receiver's
 * `Retry-After` when that is later (capped at `maxRetryAfterMs`).
 */
export function decideAfterFailure(options: {
  attempt: number;
  maxAttempts: number;
  permanent: boolean;
  /** From `parseRetryAfter`. */
  retryAfterMs?: number;
  maxRetryAfterMs: number;
  backoff: BackoffPolicy;
  now: Date;
  random: () => number;
}): FailureDecision {
  if (options.permanent || options.attempt >= options.maxAttempts) {
    return { state: 'dead' };
  }
  const backoffMs = backoffDelayMs(
    options.attempt,
    options.backoff,
    options.random,
  );
  const retryAfterMs = Math.min(
    options.retryAfterMs ?? 0,
    options.maxRetryAfterMs,
  );
  return {
    state: 'pending',
    nextAttemptAt: new Date(
      options.now.getTime() + Math.max(backoffMs, retryAfterMs),
    ),
  };
}
