import { Job, Queue, RedisOptions, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  DEFAULT_JOB_NAME,
  MAX_PRIORITY,
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

export interface BullMQQueueDriverOptions {
  /** A redis:// URL, or ioredis options (which may include a `url`). */
  connection: string | RedisOptions;
  /** Prefix of every Redis key. Default 'ops'. */
  prefix?: string;
  logger?: QueueLogger;
}

/**
 * BullMQ runs SMALLER numbers first (1 is the most urgent, 0 means "no
 * priority" and would jump ahead of every prioritized job), the reverse of our
 * scale. Ours is 0..999, so this gives 1..1000 with larger-ours-first.
 */
export function toBullMQPriority(priority?: JobPriority): number {
  return MAX_PRIORITY + 1 - normalizePriority(priority);
}

/**
 * BullMQ rejects custom job ids that look like integers or contain ':', both
 * plausible for database ids, so ours are escaped and prefixed.
 */
const toJobId = (id: string) => `j.${encodeURIComponent(id)}`;
const fromJobId = (jobId: string) => decodeURIComponent(jobId.slice(2));

interface StoredDeadLetter<T> extends Omit<DeadLetter<T>, 'failedAt'> {
  failedAt: number;
}

interface Connections {
  /** Shared by all producers (Queue instances); owned by the driver. */
  client: Redis;
  /** Options for the connections each Worker creates and owns. */
  worker: RedisOptions;
  prefix: string;
  logger: QueueLogger;
}

class BullMQJobQueue<T> implements JobQueue<T> {
  private readonly queue: Queue;
  /** Dead letters are plain jobs of a second queue that nobody consumes. */
  private readonly dlq: Queue;
  private readonly listeners: DeadLetterListener<T>[] = [];
  private worker?: Worker;
  private closing?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly options: ResolvedQueueOptions,
    private readonly connections: Connections,
    private readonly onClose: () => void,
  ) {
    const { client, prefix, logger } = connections;
    this.queue = new Queue(name, {
      connection: client,
      prefix,
      defaultJobOptions: {
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs },
        // Finished jobs are removed so that their id can be added again; the
        // database keeps the history, and failures go to the dead-letter queue.
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.dlq = new Queue(`${name}-dlq`, { connection: client, prefix });
    for (const queue of [this.queue, this.dlq]) {
      queue.on('error', error =>
        logger.warn(`Queue ${queue.name} error`, error),
      );
    }
  }

  async add(job: {
    id: string;
    name?: string;
    data: T;
    priority?: JobPriority;
  }): Promise<void> {
    if (this.closing) {
      throw new Error(`Queue ${this.name} is closed`);
    }
    // A job with the same jobId that still exists makes this a no-op.
    await this.queue.add(job.name ?? DEFAULT_JOB_NAME, job.data, {
      jobId: toJobId(job.id),
      priority: toBullMQPriority(job.priority),
    });
  }

  async has(id: string): Promise<boolean> {
    const state = await this.queue.getJobState(toJobId(id));
    return ['waiting', 'prioritized', 'delayed', 'active'].includes(state);
  }

  process(handler: JobHandler<T>): void {
    if (this.closing) {
      throw new Error(`Queue ${this.name} is closed`);
    }
    if (this.worker) {
      throw new Error(`Queue ${this.name} already has a handler`);
    }
    const { concurrency, rateLimit } = this.options;
    this.worker = new Worker(this.name, job => this.handle(job, handler), {
      connection: this.connections.worker,
      prefix: this.connections.prefix,
      concurrency,
      limiter: { max: rateLimit.max, duration: rateLimit.durationMs },
      // Metrics keep the completed/failed totals, since finished jobs are removed.
      metrics: { maxDataPoints: 60 },
      // A worker killed mid-job leaves its jobs "active" until their lock
      // expires and the stalled check runs: with BullMQ's defaults (30 s lock,
      // 30 s checks) that took about 60 s; these bring it to about 15 s. Live
      // workers renew their locks every lockDuration / 2.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    });
    this.worker.on('error', error =>
      this.connections.logger.warn(`Worker of queue ${this.name} error`, error),
    );
  }

  onDeadLetter(listener: DeadLetterListener<T>): void {
    this.listeners.push(listener);
  }

  async deadLetters(): Promise<Array<DeadLetter<T>>> {
    const jobs = await this.dlq.getJobs(['waiting'], 0, -1);
    return jobs
      .map(job => job.data as StoredDeadLetter<T>)
      .sort((a, b) => a.failedAt - b.failedAt)
      .map(entry => ({ ...entry, failedAt: new Date(entry.failedAt) }));
  }

  async counts(): Promise<QueueCounts> {
    const [counts, completed, failed, deadLettered] = await Promise.all([
      this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
      this.queue.getMetrics('completed', 0, 0),
      this.queue.getMetrics('failed', 0, 0),
      this.dlq.getJobCountByTypes('waiting'),
    ]);
    return {
      waiting: counts.waiting + counts.prioritized,
      active: counts.active,
      delayed: counts.delayed,
      completed: completed.meta.count,
      failed: failed.meta.count,
      deadLettered,
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close(); // waits for active jobs
      await Promise.all([this.queue.close(), this.dlq.close()]);
      this.onClose();
    })();
    return this.closing;
  }

  private async handle(job: Job, handler: JobHandler<T>): Promise<void> {
    const queueJob: QueueJob<T> = {
      id: fromJobId(job.id!),
      name: job.name,
      data: job.data,
      attempt: job.attemptsMade + 1,
    };
    try {
      await handler(queueJob);
    } catch (e) {
      const error = toError(e);
      // Dead-letter before BullMQ marks the job failed (and removes it), so the
      // job never looks vanished to the reconciler while listeners run.
      if (queueJob.attempt >= (job.opts.attempts ?? 1)) {
        await this.deadLetter(queueJob, error);
      }
      throw error;
    }
  }

  private async deadLetter(job: QueueJob<T>, error: Error) {
    const entry: StoredDeadLetter<T> = {
      id: job.id,
      name: job.name,
      data: job.data,
      error: error.message,
      attempts: job.attempt,
      failedAt: Date.now(),
    };
    try {
      await this.dlq.add(job.name, entry);
    } catch (dlqError) {
      this.connections.logger.error(
        `Could not dead-letter job ${job.id} of queue ${this.name}`,
        toError(dlqError),
      );
    }
    for (const listener of this.listeners) {
      try {
        await listener(job, error);
      } catch (listenerError) {
        this.connections.logger.error(
          `Dead-letter listener of queue ${this.name} failed for job ${job.id}`,
          toError(listenerError),
        );
      }
    }
  }
}

export class BullMQQueueDriver implements QueueDriver {
  private readonly queues = new Map<string, BullMQJobQueue<any>>();
  private readonly connections: Connections;

  constructor(options: BullMQQueueDriverOptions) {
    const { url, ...redisOptions }: RedisOptions =
      typeof options.connection === 'string'
        ? { url: options.connection }
        : options.connection;
    const clientOptions = { ...redisOptions, lazyConnect: true };
    this.connections = {
      client: url ? new Redis(url, clientOptions) : new Redis(clientOptions),
      // Workers block on Redis and must retry forever, as BullMQ requires.
      worker: { url, ...redisOptions, maxRetriesPerRequest: null },
      prefix: options.prefix ?? 'ops',
      logger: options.logger ?? console,
    };
    this.connections.client.on('error', error =>
      this.connections.logger.warn('Queue Redis connection error', error),
    );
  }

  queue<T>(name: string, options?: QueueOptions): JobQueue<T> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new BullMQJobQueue<T>(
        name,
        resolveQueueOptions(options),
        this.connections,
        () => this.queues.delete(name),
      );
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map(queue => queue.close()));
    const { client } = this.connections;
    await client.quit().catch(() => {});
    client.disconnect(); // stops reconnect attempts if Redis was unreachable
  }
}
