/**
 * `pending`: waiting for its next attempt or being attempted (leased);
 * `delivered`: a deliverer reported success; `dead`: dead-lettered after a
 * permanent failure or the last attempt, until `Outbox.retry`.
 */
export type OutboxState = 'pending' | 'delivered' | 'dead';

export const OUTBOX_STATES: readonly OutboxState[] = [
  'pending',
  'delivered',
  'dead',
];

/** A call to an outside system to make, as a caller enqueues it. */
export interface NewDelivery {
  /**
   * Chosen by the caller and stable for the change that causes the call (e.g.
   * `slo-alert:${alertId}:opened`). Enqueuing a key that exists already
   * creates nothing; receivers get it to recognise repeats. At most 255
   * characters.
   */
  idempotencyKey: string;
  /** Name of the deliverer that handles it, as registered with the worker. */
  target: string;
  /** Plain JSON for the deliverer, e.g. `{ url, body }` for `httpDeliverer`. */
  payload: unknown;
}

/** A delivery as stored. Times are ISO 8601 text. */
export interface OutboxDelivery {
  id: number;
  idempotencyKey: string;
  target: string;
  /** May hold personal data: never log it. */
  payload: unknown;
  state: OutboxState;
  /** Attempts started so far (a lease that expired counts as one). */
  attempts: number;
  /** When a pending delivery is due. */
  nextAttemptAt: string;
  /** While a worker is attempting it: when its lease runs out. */
  lockedUntil: string | null;
  /** Error of the last failed attempt (never a response body). */
  lastError: string | null;
  /** HTTP status (or the deliverer's equivalent) of the last attempt. */
  lastStatus: number | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** One attempt of a delivery, as a deliverer receives it. */
export interface DeliveryAttempt {
  id: number;
  target: string;
  payload: unknown;
  /** The same on every attempt: pass it to the receiver so it acts once. */
  idempotencyKey: string;
  /** 1-based. */
  attempt: number;
}

/**
 * What a deliverer reports. A deliverer that throws reports a transient
 * failure (retried). Error texts are stored and logged: keep personal data
 * and secrets out of them.
 */
export type DeliveryResult =
  | { outcome: 'delivered'; status?: number }
  | {
      outcome: 'retry';
      status?: number;
      error: string;
      /** A `Retry-After` value: delay-seconds or an HTTP-date. */
      retryAfter?: string;
    }
  | { outcome: 'permanent'; status?: number; error: string };

/** Makes the call a delivery describes, for one target. */
export interface OutboxDeliverer {
  deliver(attempt: DeliveryAttempt): Promise<DeliveryResult>;
}
