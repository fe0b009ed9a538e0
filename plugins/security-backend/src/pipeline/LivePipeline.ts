import type { LoggerService } from '@backstage/backend-plugin-api';
import type { LogTap, LogTapEntry } from '@internal/plugin-ops-node';
import type {
  SecurityPipelineStats,
  SecurityRuleInfo,
} from '@internal/plugin-security-common';
import {
  CorrelationEngine,
  type CorrelationRule,
  type EcsDocument,
  type Enricher,
} from '@internal/plugin-security-node';
import { liveEntryKind, liveEntryToEcs, type LiveEntryKind } from './liveEntry';
import {
  PendingAlerts,
  type RaisedAlert,
  type RetryTimer,
  type StoreAlert,
} from './PendingAlerts';

/** The plugin whose own log lines the pipeline never reads. */
export const OWN_PLUGIN_ID = 'security';

export interface LivePipelineOptions {
  tap: LogTap;
  rules: CorrelationRule[];
  /**
   * Where raised alerts go (the alert store), in the order raised. One that
   * fails waits and is retried with backoff (see PendingAlerts), so it must be
   * idempotent per alert.
   */
  onAlert: StoreAlert;
  enrich?: Enricher;
  /** Entries waiting to be processed at most; beyond it they are dropped (counted). Default 10 000. */
  maxQueued?: number;
  /** Keys tracked per rule (the engine's memory bound). Default 10 000. */
  maxKeysPerRule?: number;
  /** Entries processed per turn before yielding to the event loop. Default 500. */
  batchSize?: number;
  /** Alerts waiting to be stored at most; beyond it the oldest is dropped (counted). Default 1 000. */
  maxPendingAlerts?: number;
  /** Schedules the retries of alerts not stored. Default: setTimeout. */
  retryTimer?: RetryTimer;
  /** Receipt time of entries (they carry none). Default: the system clock. */
  now?: () => Date;
  /** For one warning per failed store turn, never per entry or alert. */
  logger?: Pick<LoggerService, 'warn' | 'info'>;
}

interface Queued {
  entry: LogTapEntry;
  kind: LiveEntryKind;
  at: Date;
}

/**
 * The correlation rules on the backend's live log stream. The tap listener
 * only filters and queues (bounded, dropping and counting beyond
 * `maxQueued`); batches are processed asynchronously: ECS normalization,
 * enrichment, the correlation engine, and each alert handed to `onAlert`.
 * Every entry's failure is counted by reason and skipped; nothing is logged
 * per entry, and the plugin's own lines are never read (they would loop).
 * An alert that cannot be stored waits and is retried (PendingAlerts).
 */
export class LivePipeline {
  readonly #options: LivePipelineOptions;
  readonly #engine: CorrelationEngine;
  readonly #now: () => Date;
  readonly #maxQueued: number;
  readonly #batchSize: number;
  #queue: Queued[] = [];
  #unsubscribe?: () => void;
  #draining?: Promise<void>;
  readonly #pending: PendingAlerts;
  readonly #startedAt: Date;
  readonly #counters = {
    entries: 0,
    events: 0,
    dropped: 0,
    alerts: 0,
  };
  readonly #skipped: Record<string, number> = {};

  constructor(options: LivePipelineOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#batchSize = options.batchSize ?? 500;
    this.#engine = new CorrelationEngine(options.rules, {
      maxKeysPerRule: options.maxKeysPerRule ?? 10_000,
      now: () => this.#now().getTime(),
    });
    this.#pending = new PendingAlerts({
      store: options.onAlert,
      max: options.maxPendingAlerts,
      timer: options.retryTimer,
      logger: options.logger,
    });
    this.#startedAt = this.#now();
  }

  start(): void {
    this.#unsubscribe ??= this.#options.tap.subscribe(entry =>
      this.#receive(entry),
    );
  }

  /**
   * Stops reading, processes what is queued and tries the alerts not stored
   * yet once more (warning with how many are left).
   */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.idle();
    await this.#pending.stop();
  }

  /**
   * Resolves once everything queued so far has been processed and no store
   * attempt is running (a scheduled retry may still be waiting).
   */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
    await this.#pending.idle();
  }

  stats(): SecurityPipelineStats {
    const engine = this.#engine.stats();
    return {
      startedAt: this.#startedAt.toISOString(),
      entries: this.#counters.entries,
      events: this.#counters.events,
      skipped: { ...this.#skipped },
      dropped: this.#counters.dropped,
      late: engine.late,
      alerts: this.#counters.alerts,
      pendingAlerts: this.#pending.count,
      alertsDropped: this.#pending.dropped,
    };
  }

  /** The rules with their counters since start. */
  rules(): SecurityRuleInfo[] {
    const engine = this.#engine.stats();
    return this.#options.rules.map(rule => {
      const stats = engine.rules[rule.id];
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

  /** Entries waiting now. */
  get queued(): number {
    return this.#queue.length;
  }

  #skip(reason: string) {
    this.#skipped[reason] = (this.#skipped[reason] ?? 0) + 1;
  }

  /** The tap listener: synchronous for every log line, so only filter and queue. */
  #receive(entry: LogTapEntry): void {
    this.#counters.entries += 1;
    if (entry.plugin === OWN_PLUGIN_ID) {
      this.#skip('own');
      return;
    }
    const kind = liveEntryKind(entry);
    if (!kind) {
      this.#skip('not_security');
      return;
    }
    if (this.#queue.length >= this.#maxQueued) {
      this.#counters.dropped += 1;
      return;
    }
    this.#queue.push({ entry, kind, at: this.#now() });
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      // Off the logger's call stack.
      await new Promise(resolve => setImmediate(resolve));
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#batchSize);
        const alerts: RaisedAlert[] = [];
        for (const item of batch) this.#process(item, alerts);
        this.#counters.alerts += alerts.length;
        await this.#pending.add(alerts);
        if (this.#queue.length > 0) {
          await new Promise(resolve => setImmediate(resolve));
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  #process(item: Queued, alerts: RaisedAlert[]) {
    try {
      const result = liveEntryToEcs(item.entry, item.kind, item.at);
      if ('problem' in result) {
        this.#skip(result.problem);
        return;
      }
      const doc: EcsDocument = this.#options.enrich
        ? this.#options.enrich(result.event)
        : result.event;
      this.#counters.events += 1;
      const raisedAt = this.#now();
      for (const alert of this.#engine.push(doc)) {
        alerts.push({ alert, raisedAt });
      }
    } catch {
      this.#skip('failed');
    }
  }
}
