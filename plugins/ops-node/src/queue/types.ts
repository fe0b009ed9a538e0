import type { LoggerService } from '@backstage/backend-plugin-api';
import { PRIORITIES } from '@internal/plugin-ops-common';

/**
 * Job priority on OUR scale: larger = more urgent. Integers 0..999 are
 * meaningful; values outside are clamped (see `normalizePriority`).
 */
export type JobPriority = number;

/** The shared priority scale of `@internal/plugin-ops-common`. */
export const JobPriorities = PRIORITIES;

export interface QueueJob<T> {
  /** Caller-chosen id, usually the id of the database row the job is for. */
  id: string;
  name: string;
  /** Always a JSON round-trip of what was added (Dates arrive as strings). */
  data: T;
  /** 1-based attempt number. */
  attempt: number;
}

export interface QueueOptions {
  /** Jobs handled at once by this process. Default 10. */
  concurrency?: number;
  /** Total attempts including the first. Default 3. */
  attempts?: number;
  /** Base of the exponential backoff between attempts (base * 2^(attempt-1)). Default 1000. */
  backoffMs?: number;
  /** Job starts allowed per window. Default 100 per 60 000 ms. */
  rateLimit?: { max: number; durationMs: number };
}

export type JobHandler<T> = (job: QueueJob<T>) => Promise<void>;

export type DeadLetterListener<T> = (
  job: QueueJob<T>,
  error: Error,
) => void | Promise<void>;

export interface DeadLetter<T> {
  id: string;
  name: string;
  data: T;
  /** Message of the error thrown by the last attempt. */
  error: string;
  attempts: number;
  failedAt: Date;
}

export interface QueueCounts {
  /** Ready to run (priority order). */
  waiting: number;
  active: number;
  /** Waiting for a retry backoff to elapse. */
  delayed: number;
  /** Total jobs completed since the queue was created. */
  completed: number;
  /** Total jobs whose last attempt failed since the queue was created. */
  failed: number;
  /** Entries currently in the dead-letter list. */
  deadLettered: number;
}

export interface JobQueue<T> {
  readonly name: string;
  /**
   * Enqueues a job. If a job with the same id is waiting, delayed or active,
   * this is a no-op; once the job has finished the id can be added again.
   */
  add(job: {
    id: string;
    name?: string;
    data: T;
    priority?: JobPriority;
  }): Promise<void>;
  /** True while the job is waiting, delayed (between attempts) or active. */
  has(id: string): Promise<boolean>;
  /** Starts consuming in this process. At most one handler per queue. */
  process(handler: JobHandler<T>): void;
  /**
   * Called in the consuming process after the last attempt failed, once per
   * job. Runs before the job leaves the active state, so `has(id)` is still
   * true meanwhile. Listener errors are logged, not rethrown.
   */
  onDeadLetter(listener: DeadLetterListener<T>): void;
  /** Oldest first. */
  deadLetters(): Promise<Array<DeadLetter<T>>>;
  counts(): Promise<QueueCounts>;
  /** Graceful: stops taking new jobs and waits for the active ones. */
  close(): Promise<void>;
}

export interface QueueDriver {
  /** Returns the same instance for the same name; the options of the first call win. */
  queue<T>(name: string, options?: QueueOptions): JobQueue<T>;
  /** Closes every queue created by this driver. */
  close(): Promise<void>;
}

export type QueueLogger = Pick<LoggerService, 'warn' | 'error'>;
