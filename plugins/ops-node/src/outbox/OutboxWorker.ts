import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ClaimedDelivery, Outbox } from './Outbox';
import {
  BackoffPolicy,
  DEFAULT_BACKOFF,
  decideAfterFailure,
  parseRetryAfter,
} from './retryPolicy';
import type { DeliveryResult, OutboxDeliverer } from './types';

export type OutboxLogger = Pick<
  LoggerService,
  'debug' | 'info' | 'warn' | 'error'
>;

type LogMeta = Parameters<OutboxLogger['warn']>[1];

export interface OutboxWorkerOptions {
  outbox: Outbox;
  /**
   * The deliverer for each target name. The worker claims only deliveries
   * whose target is listed here; others wait for a worker that has one.
   */
  deliverers: Record<string, OutboxDeliverer>;
  logger?: OutboxLogger;
  /** Deliveries claimed, and attempted at once, per run. Default 10. */
  batchSize?: number;
  /**
   * How long a claimed delivery is reserved for this worker. If the process
   * dies mid-attempt, the delivery is due again once the lease runs out; keep
   * it well above the deliverers' timeouts. Default 120 000 ms.
   */
  leaseMs?: number;
  /** Attempts before a delivery is dead-lettered. Default 8. */
  maxAttempts?: number;
  /** Default: 1 s doubling up to 1 h, 20% jitter. */
  backoff?: Partial<BackoffPolicy>;
  /** A receiver's `Retry-After` is honoured up to this. Default 24 h. */
  maxRetryAfterMs?: number;
  /** Wait between polls when nothing was due (`start`). Default 5 000 ms. */
  pollIntervalMs?: number;
  /** Clock. Default: the system clock. */
  now?: () => Date;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** What one `deliverDue` run did. */
export interface OutboxRunSummary {
  claimed: number;
  delivered: number;
  /** Failed and rescheduled. */
  retrying: number;
  dead: number;
  /** Attempts whose outcome was not recorded: the lease had passed to another worker. */
  leaseLost: number;
}

/**
 * Delivers what an `Outbox` holds: claims due deliveries with a lease, hands
 * each to the deliverer of its target with its idempotency key, and records
 * the outcome (delivered; retried with exponential backoff or the receiver's
 * `Retry-After`; dead-lettered after a permanent failure or `maxAttempts`).
 * Delivery is at least once: a process that dies mid-attempt leaves the
 * delivery to be attempted again, with the same key, after its lease.
 * Run it with `start`/`stop`, or call `deliverDue` from a scheduled task.
 */
export class OutboxWorker {
  private readonly outbox: Outbox;
  private readonly deliverers: Record<string, OutboxDeliverer>;
  private readonly logger?: OutboxLogger;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly maxRetryAfterMs: number;
  private readonly pollIntervalMs: number;
  private readonly now: () => Date;
  private readonly random: () => number;

  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(options: OutboxWorkerOptions) {
    if (!Object.keys(options.deliverers).length) {
      throw new TypeError('An OutboxWorker needs at least one deliverer');
    }
    this.outbox = options.outbox;
    this.deliverers = options.deliverers;
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 10;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 24 * 60 * 60 * 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /** Claims one batch of due deliveries and attempts them all at once. */
  async deliverDue(): Promise<OutboxRunSummary> {
    const claims = await this.outbox.claimDue({
      targets: Object.keys(this.deliverers),
      now: this.now(),
      leaseMs: this.leaseMs,
      limit: this.batchSize,
    });
    const summary: OutboxRunSummary = {
      claimed: claims.length,
      delivered: 0,
      retrying: 0,
      dead: 0,
      leaseLost: 0,
    };
    // Every attempt runs to its end even if recording one fails (that one's
    // lease then runs out and it is attempted again).
    const outcomes = await Promise.allSettled(claims.map(c => this.attempt(c)));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        throw outcome.reason;
      }
      summary[outcome.value] += 1;
    }
    return summary;
  }

  /** Polls in the background until `stop`: at once while batches come back full. */
  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loop = this.poll();
  }

  /** Stops polling and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        full = (await this.deliverDue()).claimed >= this.batchSize;
      } catch (error) {
        this.logger?.error(`Outbox ${this.outbox.table}: poll failed`, {
          error: String(error),
        });
      }
      if (!full && this.running) {
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, this.pollIntervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private async attempt(
    claim: ClaimedDelivery,
  ): Promise<Exclude<keyof OutboxRunSummary, 'claimed'>> {
    const { delivery } = claim;
    const meta = {
      table: this.outbox.table,
      target: delivery.target,
      id: delivery.id,
      attempt: delivery.attempts,
    };

    // The lease of the last allowed attempt ran out (the process died, or
    // the deliverer hung): the attempts are used up.
    if (delivery.attempts > this.maxAttempts) {
      const error = 'lease expired during the last attempt';
      const recorded = await this.outbox.markFailed(claim, {
        error,
        status: delivery.lastStatus ?? undefined,
      });
      if (!recorded) {
        return this.leaseLost(meta);
      }
      this.logger?.error(`Outbox delivery dead-lettered: ${error}`, meta);
      return 'dead';
    }

    const result = await this.callDeliverer(claim);
    const now = this.now();
    if (result.outcome === 'delivered') {
      const recorded = await this.outbox.markDelivered(claim, {
        now,
        status: result.status,
      });
      if (!recorded) {
        return this.leaseLost({ ...meta, status: result.status });
      }
      this.logger?.debug('Outbox delivery delivered', {
        ...meta,
        status: result.status,
      });
      return 'delivered';
    }

    const decision = decideAfterFailure({
      attempt: delivery.attempts,
      maxAttempts: this.maxAttempts,
      permanent: result.outcome === 'permanent',
      retryAfterMs:
        result.outcome === 'retry'
          ? parseRetryAfter(result.retryAfter, now)
          : undefined,
      maxRetryAfterMs: this.maxRetryAfterMs,
      backoff: this.backoff,
      now,
      random: this.random,
    });
    const nextAttemptAt =
      decision.state === 'pending' ? decision.nextAttemptAt : undefined;
    const recorded = await this.outbox.markFailed(claim, {
      error: result.error,
      status: result.status,
      nextAttemptAt,
    });
    const details = { ...meta, status: result.status, error: result.error };
    if (!recorded) {
      return this.leaseLost(details);
    }
    if (!nextAttemptAt) {
      this.logger?.error('Outbox delivery dead-lettered', details);
      return 'dead';
    }
    this.logger?.warn('Outbox delivery failed; will retry', {
      ...details,
      nextAttemptAt: nextAttemptAt.toISOString(),
    });
    return 'retrying';
  }

  private leaseLost(meta: LogMeta): 'leaseLost' {
    this.logger?.warn(
      'Outbox attempt not recorded: its lease passed to another worker',
      meta,
    );
    return 'leaseLost';
  }

  /** A deliverer that throws reports a transient failure. */
  private async callDeliverer(claim: ClaimedDelivery): Promise<DeliveryResult> {
    const { delivery } = claim;
    try {
      return await this.deliverers[delivery.target].deliver({
        id: delivery.id,
        target: delivery.target,
        payload: delivery.payload,
        idempotencyKey: delivery.idempotencyKey,
        attempt: delivery.attempts,
      });
    } catch (error) {
      return {
        outcome: 'retry',
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
