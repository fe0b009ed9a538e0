import type { LoggerService } from '@backstage/backend-plugin-api';
import type { LogTap, LogTapEntry } from '@internal/plugin-ops-node';
import type { SecurityPipelineStats } from '@internal/plugin-security-common';
import {
  CorrelationEngine,
  type CorrelationRule,
  type EcsDocument,
  type Enricher,
} from '@internal/plugin-security-node';
import { liveEntryKind, liveEntryToEcs } from './liveEntry';
import { RetryQueue, type RetryTimer } from './RetryQueue';

/** The plugin whose own log lines the pipeline never reads. */
export const OWN_PLUGIN_ID = 'security';

/** Where the events a rule could match go: the shared stream (one insert per call). */
export type AppendEvents = (documents: EcsDocument[]) => Promise<unknown>;

export interface LivePipelineOptions {
  tap: LogTap;
  /** Only events at least one rule's `match` accepts are appended. */
  rules: CorrelationRule[];
  /**
   * Appends a batch of events to the shared stream. A batch that fails
   * waits and is retried with backoff (see RetryQueue).
   */
  append: AppendEvents;
  enrich?: Enricher;
  /** Entries waiting to be processed at most; beyond it they are dropped (counted). Default 10 000. */
  maxQueued?: number;
  /** Entries processed per turn (and events per insert) before yielding to the event loop. Default 500. */
  batchSize?: number;
  /** Events waiting to be appended at most; beyond it the oldest are dropped (counted). Default 10 000. */
  maxPendingEvents?: number;
  /** Schedules the retries of batches not appended. Default: setTimeout. */
  retryTimer?: RetryTimer;
  /** Receipt time of entries (they carry none). Default: the system clock. */
  now?: () => Date;
  /** For one warning per failed append turn, never per entry. */
  logger?: Pick<LoggerService, 'warn' | 'info'>;
}

/** This process's side of the pipeline stats (the detector's come from the stream). */
export type LivePipelineStats = Pick<
  SecurityPipelineStats,
  | 'startedAt'
  | 'entries'
  | 'events'
  | 'streamed'
  | 'skipped'
  | 'dropped'
  | 'pendingEvents'
  | 'eventsDropped'
>;

interface Queued {
  entry: LogTapEntry;
  at: Date;
}

/**
 * The backend's live log stream into the shared event stream. The tap
 * listener only filters and queues (bounded, dropping and counting beyond
 * `maxQueued`); batches are processed asynchronously: ECS normalization,
 * enrichment, and the events at least one rule could match appended in one
 * insert per batch (the Detector runs the rules over every replica's
 * events). Every entry's failure is counted by reason and skipped; nothing
 * is logged per entry, and the plugin's own lines are never read (they
 * would loop). A batch that cannot be appended waits and is retried
 * (RetryQueue).
 */
export class LivePipeline {
  readonly #options: LivePipelineOptions;
  readonly #matcher: CorrelationEngine;
  readonly #now: () => Date;
  readonly #maxQueued: number;
  readonly #batchSize: number;
  #queue: Queued[] = [];
  #unsubscribe?: () => void;
  #draining?: Promise<void>;
  readonly #pending: RetryQueue<EcsDocument>;
  readonly #startedAt: Date;
  readonly #counters = {
    entries: 0,
    events: 0,
    streamed: 0,
    dropped: 0,
  };
  readonly #skipped: Record<string, number> = {};

  constructor(options: LivePipelineOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#maxQueued = options.maxQueued ?? 10_000;
    this.#batchSize = options.batchSize ?? 500;
    // Only its pure `matches` is used: no windows are kept here.
    this.#matcher = new CorrelationEngine(options.rules);
    this.#pending = new RetryQueue({
      deliver: options.append,
      noun: 'event(s)',
      max: options.maxPendingEvents,
      batchSize: this.#batchSize,
      timer: options.retryTimer,
      logger: options.logger,
    });
    this.#startedAt = this.#now();
  }

  start(): void {
    this.#unsubscribe ??= this.#options.tap.subscribe(
      entry => this.#receive(entry),
      { accepts: logged => this.#accepts(logged) },
    );
  }

  /**
   * Stops reading, processes what is queued and tries the events not
   * appended yet once more (warning with how many are left).
   */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.idle();
    await this.#pending.stop();
  }

  /**
   * Resolves once everything queued so far has been processed and no append
   * attempt is running (a scheduled retry may still be waiting).
   */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
    await this.#pending.idle();
  }

  stats(): LivePipelineStats {
    return {
      startedAt: this.#startedAt.toISOString(),
      entries: this.#counters.entries,
      events: this.#counters.events,
      streamed: this.#counters.streamed,
      skipped: { ...this.#skipped },
      dropped: this.#counters.dropped,
      pendingEvents: this.#pending.count,
      eventsDropped: this.#pending.dropped,
    };
  }

  /** Entries waiting now. */
  get queued(): number {
    return this.#queue.length;
  }

  #skip(reason: string) {
    this.#skipped[reason] = (this.#skipped[reason] ?? 0) + 1;
  }

  /**
   * The tap's filter, asked of every logged line before it is copied: the
   * plugin's own lines and lines no rule reads are counted and skipped.
   */
  #accepts(logged: LogTapEntry): boolean {
    this.#counters.entries += 1;
    if (logged.plugin === OWN_PLUGIN_ID) {
      this.#skip('own');
      return false;
    }
    if (!liveEntryKind(logged)) {
      this.#skip('not_security');
      return false;
    }
    return true;
  }

  /** The tap listener, with a copy of a line `#accepts` took: only queue. */
  #receive(entry: LogTapEntry): void {
    if (this.#queue.length >= this.#maxQueued) {
      this.#counters.dropped += 1;
      return;
    }
    this.#queue.push({ entry, at: this.#now() });
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      // Off the logger's call stack.
      await new Promise(resolve => setImmediate(resolve));
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#batchSize);
        const documents: EcsDocument[] = [];
        for (const item of batch) this.#process(item, documents);
        this.#counters.streamed += documents.length;
        await this.#pending.add(documents);
        if (this.#queue.length > 0) {
          await new Promise(resolve => setImmediate(resolve));
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  #process(item: Queued, documents: EcsDocument[]) {
    try {
      const result = liveEntryToEcs(item.entry, item.at);
      if ('problem' in result) {
        this.#skip(result.problem);
        return;
      }
      const doc: EcsDocument = this.#options.enrich
        ? this.#options.enrich(result.event)
        : result.event;
      this.#counters.events += 1;
      if (this.#matcher.matches(doc)) documents.push(doc);
    } catch {
      this.#skip('failed');
    }
  }
}
