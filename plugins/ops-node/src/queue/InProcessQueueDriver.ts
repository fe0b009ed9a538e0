import {
  DEFAULT_JOB_NAME,
  normalizePriority,
  ResolvedQueueOptions,
  resolveQueueOptions,
  toError,
} from './internal';
import {
  DeadLetter,
  DeadLetterListener,
  JobHandler,
  JobPriority,
  JobQueue,
  QueueCounts,
  QueueDriver,
  QueueJob,
  QueueLogger,
  QueueOptions,
} from './types';

interface Entry<T> extends QueueJob<T> {
  priority: number;
}

class InProcessJobQueue<T> implements JobQueue<T> {
  /** Sorted by priority (highest first), FIFO within a priority. */
  private readonly waiting: Entry<T>[] = [];
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly active = new Set<string>();
  private readonly dead: DeadLetter<T>[] = [];
  private readonly listeners: DeadLetterListener<T>[] = [];
  /** Start times of the jobs inside the current rate-limit window. */
  private readonly starts: number[] = [];
  private handler?: JobHandler<T>;
  private wakeTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;
  private resolveIdle?: () => void;
  private completed = 0;
  private failed = 0;

  constructor(
    readonly name: string,
    private readonly options: ResolvedQueueOptions,
    private readonly logger: QueueLogger,
    private readonly onClose: () => void,
  ) {}

  async add(job: {
    id: string;
    name?: string;
    data: T;
    priority?: JobPriority;
  }): Promise<void> {
    if (this.closing) {
      throw new Error(`Queue ${this.name} is closed`);
    }
    if (this.isPending(job.id)) {
      return;
    }
    this.enqueue({
      id: job.id,
      name: job.name ?? DEFAULT_JOB_NAME,
      // Same serialization as the Redis driver, so non-JSON data fails in dev too.
      data:
        job.data === undefined
          ? job.data
          : JSON.parse(JSON.stringify(job.data)),
      priority: normalizePriority(job.priority),
      attempt: 1,
    });
    this.pump();
  }

  async has(id: string): Promise<boolean> {
    return this.isPending(id);
  }

  process(handler: JobHandler<T>): void {
    if (this.closing) {
      throw new Error(`Queue ${this.name} is closed`);
    }
    if (this.handler) {
      throw new Error(`Queue ${this.name} already has a handler`);
    }
    this.handler = handler;
    this.pump();
  }

  onDeadLetter(listener: DeadLetterListener<T>): void {
    this.listeners.push(listener);
  }

  async deadLetters(): Promise<Array<DeadLetter<T>>> {
    return [...this.dead];
  }

  async counts(): Promise<QueueCounts> {
    return {
      waiting: this.waiting.length,
      active: this.active.size,
      delayed: this.delayed.size,
      completed: this.completed,
      failed: this.failed,
      deadLettered: this.dead.length,
    };
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>(resolve => {
      clearTimeout(this.wakeTimer);
      this.delayed.forEach(timer => clearTimeout(timer));
      this.delayed.clear();
      this.onClose();
      this.resolveIdle = resolve;
      if (this.active.size === 0) {
        resolve();
      }
    });
    return this.closing;
  }

  private isPending(id: string): boolean {
    return (
      this.active.has(id) ||
      this.delayed.has(id) ||
      this.waiting.some(entry => entry.id === id)
    );
  }

  private enqueue(entry: Entry<T>) {
    const index = this.waiting.findIndex(e => e.priority < entry.priority);
    this.waiting.splice(index === -1 ? this.waiting.length : index, 0, entry);
  }

  private pump() {
    while (
      this.handler &&
      !this.closing &&
      this.active.size < this.options.concurrency &&
      this.waiting.length > 0
    ) {
      const waitMs = this.rateLimitWaitMs();
      if (waitMs > 0) {
        this.wakeTimer ??= setTimeout(() => {
          this.wakeTimer = undefined;
          this.pump();
        }, waitMs);
        return;
      }
      this.starts.push(Date.now());
      void this.run(this.waiting.shift()!, this.handler);
    }
  }

  private rateLimitWaitMs(): number {
    const { max, durationMs } = this.options.rateLimit;
    const now = Date.now();
    while (this.starts.length > 0 && this.starts[0] <= now - durationMs) {
      this.starts.shift();
    }
    return this.starts.length < max ? 0 : this.starts[0] + durationMs - now;
  }

  private async run(entry: Entry<T>, handler: JobHandler<T>) {
    this.active.add(entry.id);
    const job: QueueJob<T> = {
      id: entry.id,
      name: entry.name,
      data: entry.data,
      attempt: entry.attempt,
    };
    try {
      await handler(job);
      this.completed += 1;
    } catch (e) {
      if (entry.attempt < this.options.attempts) {
        this.retryLater(entry);
      } else {
        await this.deadLetter(job, toError(e));
      }
    } finally {
      this.active.delete(entry.id);
      if (this.closing && this.active.size === 0) {
        this.resolveIdle?.();
      }
      this.pump();
    }
  }

  private retryLater(entry: Entry<T>) {
    if (this.closing) {
      return; // dropped; the reconciler re-queues it after a restart
    }
    const delayMs = this.options.backoffMs * 2 ** (entry.attempt - 1);
    const timer = setTimeout(() => {
      this.delayed.delete(entry.id);
      this.enqueue({ ...entry, attempt: entry.attempt + 1 });
      this.pump();
    }, delayMs);
    this.delayed.set(entry.id, timer);
  }

  private async deadLetter(job: QueueJob<T>, error: Error) {
    this.failed += 1;
    this.dead.push({
      id: job.id,
      name: job.name,
      data: job.data,
      error: error.message,
      attempts: job.attempt,
      failedAt: new Date(),
    });
    for (const listener of this.listeners) {
      try {
        await listener(job, error);
      } catch (listenerError) {
        this.logger.error(
          `Dead-letter listener of queue ${this.name} failed for job ${job.id}`,
          toError(listenerError),
        );
      }
    }
  }
}

/**
 * In-memory queues for a single process (embedded default, `yarn start`,
 * tests). Jobs do not survive a restart; the reconciler re-queues them.
 */
export class InProcessQueueDriver implements QueueDriver {
  private readonly queues = new Map<string, InProcessJobQueue<any>>();
  private readonly logger: QueueLogger;

  constructor(options: { logger?: QueueLogger } = {}) {
    this.logger = options.logger ?? console;
  }

  queue<T>(name: string, options?: QueueOptions): JobQueue<T> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new InProcessJobQueue<T>(
        name,
        resolveQueueOptions(options),
        this.logger,
        () => this.queues.delete(name),
      );
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map(queue => queue.close()));
  }
}
