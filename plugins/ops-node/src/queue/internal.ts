import { JobPriorities, JobPriority, QueueOptions } from './types';

export type ResolvedQueueOptions = Required<QueueOptions>;

export const DEFAULT_JOB_NAME = 'default';

export function resolveQueueOptions(
  options: QueueOptions = {},
): ResolvedQueueOptions {
  const resolved = {
    concurrency: options.concurrency ?? 10,
    attempts: options.attempts ?? 3,
    backoffMs: options.backoffMs ?? 1000,
    rateLimit: options.rateLimit ?? { max: 100, durationMs: 60_000 },
  };
  const positive = (value: number) => Number.isInteger(value) && value > 0;
  if (
    !positive(resolved.concurrency) ||
    !positive(resolved.attempts) ||
    !(resolved.backoffMs >= 0) ||
    !positive(resolved.rateLimit.max) ||
    !positive(resolved.rateLimit.durationMs)
  ) {
    throw new TypeError(`Invalid queue options ${JSON.stringify(options)}`);
  }
  return resolved;
}

export const MAX_PRIORITY = 999;

/** Integer in 0..MAX_PRIORITY, so both drivers order the same way. */
export function normalizePriority(
  priority: JobPriority = JobPriorities.NORMAL,
): number {
  const value = Number.isNaN(priority)
    ? JobPriorities.NORMAL
    : Math.round(priority);
  return Math.min(Math.max(value, 0), MAX_PRIORITY);
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
