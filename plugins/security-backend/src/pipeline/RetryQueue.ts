import type { LoggerService } from '@backstage/backend-plugin-api';
import { backoffDelayMs, type BackoffPolicy } from '@internal/plugin-ops-node';

/** Delivers one batch (e.g. one insert); throws when it cannot. */
export type DeliverBatch<T> = (items: T[]) => Promise<unknown>;

/** Runs `run` after `ms` milliseconds; returns a function that cancels it. */
export type RetryTimer = (run: () => Promise<void>, ms: number) => () => void;

export const systemRetryTimer: RetryTimer = (run, ms) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** 1 s doubling to 60 s. */
export const RETRY_QUEUE_BACKOFF: BackoffPolicy = {
  baseMs: 1000,
  maxMs: 60_000,
  jitter: 0,
};

export interface RetryQueueOptions<T> {
  deliver: DeliverBatch<T>;
  /** What the items are, for the log lines (`events`). */
  noun: string;
  /** Items waiting at most; beyond it the oldest are dropped (counted). Default 10 000. */
  max?: number;
  /** Items per `deliver` call at most. Default 500. */
  batchSize?: number;
  timer?: RetryTimer;
  backoff?: BackoffPolicy;
  logger?: Pick<LoggerService, 'warn' | 'info'>;
}

/** Names the failure without its message: knex puts the query's values (addresses) in it. */
export function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' || typeof code === 'number') return `${code}`;
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * Delivers items in batches, in the order added. When a batch cannot be
 * delivered (the database is down), it and every later item wait in a
 * bounded list, retried with backoff until delivered; beyond `max` the
 * oldest waiting items are dropped and counted. One warning per failed
 * turn, never per item; one info line once the backlog is delivered.
 */
export class RetryQueue<T> {
  readonly #deliver: DeliverBatch<T>;
  readonly #noun: string;
  readonly #max: number;
  readonly #batchSize: number;
  readonly #timer: RetryTimer;
  readonly #backoff: BackoffPolicy;
  readonly #logger?: Pick<LoggerService, 'warn' | 'info'>;
  #waiting: T[] = [];
  #delivering = 0;
  #dropped = 0;
  #failedTurns = 0;
  #cancelRetry?: () => void;
  #turn?: Promise<void>;
  #stopped = false;

  constructor(options: RetryQueueOptions<T>) {
    this.#deliver = options.deliver;
    this.#noun = options.noun;
    this.#max = Math.max(1, options.max ?? 10_000);
    this.#batchSize = Math.max(1, options.batchSize ?? 500);
    this.#timer = options.timer ?? systemRetryTimer;
    this.#backoff = options.backoff ?? RETRY_QUEUE_BACKOFF;
    this.#logger = options.logger;
  }

  /** Items not delivered yet. */
  get count(): number {
    return this.#waiting.length + this.#delivering;
  }

  /** Items given up on since start (beyond `max`). */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Delivers the items now, or, while a retry is scheduled, leaves them
   * behind the ones waiting for it.
   */
  async add(items: T[]): Promise<void> {
    if (items.length === 0) return;
    for (const item of items) this.#waiting.push(item);
    this.#trim();
    await this.#serially(async () => {
      if (!this.#cancelRetry) await this.#runTurn();
    });
  }

  /** Resolves once no turn is running. */
  async idle(): Promise<void> {
    while (this.#turn) await this.#turn;
  }

  /** Schedules nothing more, tries the waiting items once more, warns with what is left. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    await this.#serially(() => this.#runTurn());
    if (this.count > 0) {
      this.#logger?.warn(
        `Security pipeline stopped with ${this.count} ${
          this.#noun
        } not stored; they are lost`,
      );
    }
  }

  async #serially(task: () => Promise<void>): Promise<void> {
    while (this.#turn) await this.#turn;
    this.#turn = task().finally(() => {
      this.#turn = undefined;
    });
    await this.#turn;
  }

  async #runTurn(): Promise<void> {
    if (this.count === 0) return;
    const failure = await this.#deliverWaiting();
    if (!failure) {
      if (this.#failedTurns > 0) {
        this.#logger?.info(
          `Security pipeline: pending ${this.#noun} stored after ${
            this.#failedTurns
          } failed attempt(s); none pending`,
        );
      }
      this.#failedTurns = 0;
      return;
    }
    this.#failedTurns += 1;
    this.#trim();
    if (this.#stopped) return;
    const delayMs = backoffDelayMs(this.#failedTurns, this.#backoff);
    this.#logger?.warn(
      `Security pipeline: ${this.count} ${
        this.#noun
      } could not be stored (${reasonOf(failure.error)}); retrying in ${
        delayMs / 1000
      } s; ${this.#dropped} dropped since start`,
    );
    this.#cancelRetry = this.#timer(() => {
      this.#cancelRetry = undefined;
      return this.#serially(() => this.#runTurn());
    }, delayMs);
  }

  /** Delivers the waiting items batch by batch until one fails (it stays first). */
  async #deliverWaiting(): Promise<{ error: unknown } | undefined> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#batchSize);
      this.#delivering = batch.length;
      try {
        await this.#deliver(batch);
      } catch (error) {
        this.#waiting.unshift(...batch);
        return { error };
      } finally {
        this.#delivering = 0;
      }
    }
    return undefined;
  }

  /** Drops the oldest waiting items beyond the bound. */
  #trim() {
    const excess = this.count - this.#max;
    if (excess <= 0) return;
    const drop = Math.min(excess, this.#waiting.length);
    this.#waiting.splice(0, drop);
    this.#dropped += drop;
  }
}
