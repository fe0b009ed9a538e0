import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SecurityRuleInfo } from '@internal/plugin-security-common';
import {
  CorrelationEngine,
  type CorrelationRule,
  type SecurityAlert,
} from '@internal/plugin-security-node';
import type { EventStream, StreamEvent } from './EventStream';

/** Stores one alert (the alert store, idempotent by dedup key); throws when it cannot. */
export type StoreAlert = (
  alert: SecurityAlert,
  raised: { raisedAt: Date },
) => Promise<unknown>;

export interface DetectorOptions {
  stream: EventStream;
  rules: CorrelationRule[];
  storeAlert: StoreAlert;
  /** Keys tracked per rule (the engine's memory bound). Default 10 000. */
  maxKeysPerRule?: number;
  /** Events read per query. Default 500. */
  batchSize?: number;
  now?: () => Date;
  logger?: Pick<LoggerService, 'info'>;
}

/** What one turn did. */
export interface DetectorTurn {
  /** Events read before the cursor to rebuild the windows (0: engine was current). */
  replayed: number;
  /** Events read after the cursor. */
  events: number;
  /** Alerts handed to the store (new or already stored). */
  alerts: number;
  /** Events deleted by retention. */
  deleted: number;
}

/**
 * The correlation rules over the shared event stream, one turn at a time
 * (the plugin runs `runOnce` as a global scheduler task, so one replica at a
 * time). A turn reads the events after the persisted cursor in id order
 * through this process's engine, stores the alerts, then advances the
 * cursor. When this process did not run the previous turn (its engine's last
 * id is not the cursor), it first rebuilds the engine by replaying the
 * retained events up to the cursor; the replay's alerts are stored too (the
 * store's dedup key makes the stored ones no-ops). When an alert cannot be
 * stored the turn throws, the cursor stays and the engine is dropped: the
 * next turn rebuilds and raises the alert again. Retention deletes events
 * older than twice the longest rule window.
 */
export class Detector {
  readonly #options: DetectorOptions;
  readonly #batchSize: number;
  readonly #now: () => Date;
  readonly #retentionMs: number;
  #engine?: CorrelationEngine;
  /** The id the engine has read up to (meaningful with #engine). */
  #lastId = 0;
  #alerts = 0;

  constructor(options: DetectorOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? 500;
    this.#now = options.now ?? (() => new Date());
    const longest = Math.max(...options.rules.map(r => r.windowSeconds));
    this.#retentionMs = 2 * longest * 1000;
  }

  /** Events older than this (ms) are deleted: twice the longest rule window. */
  get retentionMs(): number {
    return this.#retentionMs;
  }

  async runOnce(): Promise<DetectorTurn> {
    const { stream } = this.#options;
    const cursor = await stream.cursor();
    const turn: DetectorTurn = {
      replayed: 0,
      events: 0,
      alerts: 0,
      deleted: 0,
    };
    if (!this.#engine || this.#lastId !== cursor.lastId) {
      turn.replayed = await this.#rebuild(cursor.lastId, turn);
    }
    let lastId = cursor.lastId;
    for (;;) {
      const events = await stream.read(lastId, this.#batchSize);
      if (events.length === 0) break;
      turn.alerts += await this.#feed(events);
      turn.events += events.length;
      const toId = events[events.length - 1].id;
      if (!(await stream.advance(lastId, toId, this.#now()))) {
        // Another detector moved the cursor: rebuild next turn.
        this.#engine = undefined;
        return turn;
      }
      lastId = toId;
      this.#lastId = toId;
    }
    if (turn.events === 0) await stream.advance(lastId, lastId, this.#now());
    turn.deleted = await stream.deleteOlderThan(
      new Date(this.#now().getTime() - this.#retentionMs),
    );
    return turn;
  }

  /** Alerts this process's turns stored (or found stored) since start. */
  get alerts(): number {
    return this.#alerts;
  }

  /** Events the rules dropped as too late in this process (0 while not detecting here). */
  get late(): number {
    return this.#engine?.stats().late ?? 0;
  }

  /**
   * The rules, with the counters of this process's engine since it was
   * last rebuilt (zeros on a replica that is not running the detector).
   */
  rules(): SecurityRuleInfo[] {
    const engine = this.#engine?.stats();
    return this.#options.rules.map(rule => {
      const stats = engine?.rules[rule.id];
      return {
        id: rule.id,
        title: rule.title,
        severity: rule.severity,
        threshold: rule.threshold,
        windowSeconds: rule.windowSeconds,
        groupBy: [rule.groupBy].flat(),
        ...(rule.timeOfDay && { timeOfDay: { ...rule.timeOfDay } }),
        stats: {
          matched: stats?.matched ?? 0,
          alerts: stats?.alerts ?? 0,
          keys: stats?.keys ?? 0,
          suppressed: stats?.suppressed ?? 0,
          evicted: stats?.evicted ?? 0,
        },
      };
    });
  }

  /** A fresh engine fed the retained events up to `upToId`; returns how many. */
  async #rebuild(upToId: number, turn: DetectorTurn): Promise<number> {
    const now = this.#now;
    this.#engine = new CorrelationEngine(this.#options.rules, {
      maxKeysPerRule: this.#options.maxKeysPerRule ?? 10_000,
      now: () => now().getTime(),
    });
    this.#lastId = 0;
    let replayed = 0;
    for (let afterId = 0; ; ) {
      const events = await this.#options.stream.read(
        afterId,
        this.#batchSize,
        upToId,
      );
      if (events.length === 0) break;
      turn.alerts += await this.#feed(events);
      replayed += events.length;
      afterId = events[events.length - 1].id;
    }
    this.#lastId = upToId;
    if (replayed > 0) {
      this.#options.logger?.info(
        `Security detector rebuilt its rule windows from ${replayed} retained event(s)`,
      );
    }
    return replayed;
  }

  /** Pushes the events through the engine and stores the alerts, in order. */
  async #feed(events: StreamEvent[]): Promise<number> {
    const engine = this.#engine!;
    const raised: SecurityAlert[] = [];
    for (const { document } of events) raised.push(...engine.push(document));
    const raisedAt = this.#now();
    try {
      for (const alert of raised) {
        await this.#options.storeAlert(alert, { raisedAt });
        this.#alerts += 1;
      }
    } catch (error) {
      // The cursor stays; the next turn rebuilds and raises these again.
      this.#engine = undefined;
      throw error;
    }
    return raised.length;
  }
}
