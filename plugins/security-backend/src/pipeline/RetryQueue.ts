import type { LoggerService } from '@backstage/backend-plugin-api';
import { backoffDelayMs, type BackoffPolicy } from '@internal/plugin-ops-node';
import type { SecurityAlert } from '@internal/plugin-security-node';

/** An alert as the rules raised it, with when. */
export interface RaisedAlert {
  alert: SecurityAlert;
  raisedAt: Date;
}

/** Stores one alert (the alert store); throws when it cannot. */
export type StoreAlert = (
  alert: SecurityAlert,
  raised: { raisedAt: Date },
) => Promise<unknown>;

/** Runs `run` after `ms` milliseconds; returns a function that cancels it. */
export type RetryTimer = (run: () => Promise<void>, ms: number) => () => void;

export const systemRetryTimer: RetryTimer = (run, ms) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** 1 s doubling to 60 s. */
export const PENDING_ALERTS_BACKOFF: BackoffPolicy = {
  baseMs: 1000,
  maxMs: 60_000,
  jitter: 0,
};

export interface PendingAlertsOptions {
  store: StoreAlert;
  /** Alerts waiting at most; beyond it the oldest is dropped (counted). Default 1 000. */
  max?: number;
  timer?: RetryTimer;
  backoff?: BackoffPolicy;
  logger?: Pick<LoggerService, 'warn' | 'info'>;
}

/** Names the failure without its message: knex puts the query's values (addresses) in it. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' || typeof code === 'number') return `${code}`;
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * Hands raised alerts to the store one by one, in the order raised. When one
 * cannot be stored (the database is down), it and every later one wait in a
 * bounded list, retried with backoff until stored; beyond `max` the oldest
 * waiting alert is dropped and counted. One warning per failed turn, never
 * per alert; one info line once the backlog is stored. The store must be
 * idempotent per alert (AlertStore's dedup key is): a retry may repeat an
 * alert that was in fact stored.
 */
export class PendingAlerts {
  readonly #store: StoreAlert;
  readonly #max: number;
  readonly #timer: RetryTimer;
  readonly #backoff: BackoffPolicy;
  readonly #logger?: Pick<LoggerService, 'warn' | 'info'>;
  #waiting: RaisedAlert[] = [];
  #storing?: RaisedAlert;
  #dropped = 0;
  #failedTurns = 0;
  #cancelRetry?: () => void;
  #turn?: Promise<void>;
  #stopped = false;

  constructor(options: PendingAlertsOptions) {
    this.#store = options.store;
    this.#max = Math.max(1, options.max ?? 1000);
    this.#timer = options.timer ?? systemRetryTimer;
    this.#backoff = options.backoff ?? PENDING_ALERTS_BACKOFF;
    this.#logger = options.logger;
  }

  /** Alerts not stored yet. */
  get count(): number {
    return this.#waiting.length + (this.#storing ? 1 : 0);
  }

  /** Alerts given up on since start (beyond `max`). */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Stores the alerts now, or, while a retry is scheduled, leaves them
   * behind the ones waiting for it.
   */
  async add(alerts: RaisedAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    for (const alert of alerts) this.#waiting.push(alert);
    if (this.#failedTurns > 0) this.#trim();
    await this.#serially(async () => {
      if (!this.#cancelRetry) await this.#runTurn();
    });
  }

  /** Resolves once no turn is running. */
  async idle(): Promise<void> {
    while (this.#turn) await this.#turn;
  }

  /** Schedules nothing more, tries the waiting alerts once more, warns with what is left. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    await this.#serially(() => this.#runTurn());
    if (this.count > 0) {
      this.#logger?.warn(
        `Security pipeline stopped with ${this.count} alert(s) not stored; they are lost`,
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
    const failure = await this.#storeWaiting();
    if (!failure) {
      if (this.#failedTurns > 0) {
        this.#logger?.info(
          `Security pipeline: pending alerts stored after ${
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
      `Security pipeline: ${
        this.count
      } alert(s) could not be stored (${reasonOf(
        failure.error,
      )}); retrying in ${delayMs / 1000} s; ${
        this.#dropped
      } dropped since start`,
    );
    this.#cancelRetry = this.#timer(() => {
      this.#cancelRetry = undefined;
      return this.#serially(() => this.#runTurn());
    }, delayMs);
  }

  /** Stores the waiting alerts in order until one fails (it stays first). */
  async #storeWaiting(): Promise<{ error: unknown } | undefined> {
    for (let next = this.#waiting.shift(); next; next = this.#waiting.shift()) {
      this.#storing = next;
      try {
        await this.#store(next.alert, { raisedAt: next.raisedAt });
      } catch (error) {
        this.#waiting.unshift(next);
        return { error };
      } finally {
        this.#storing = undefined;
      }
    }
    return undefined;
  }

  /** Drops the oldest waiting alerts beyond the bound. */
  #trim() {
    while (this.count > this.#max && this.#waiting.length > 0) {
      this.#waiting.shift();
      this.#dropped += 1;
    }
  }
}
