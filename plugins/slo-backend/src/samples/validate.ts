import { InputError } from '@backstage/errors';
import {
  MAX_SAMPLE_RANGE_DAYS,
  isoDateTimeSchema,
  SloSample,
  sloSampleBatchSchema,
} from '@internal/plugin-slo-common';
import { z } from 'zod';
import type { MinuteCounts } from './SampleStore';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** How far past the clock a pushed minute may start (clock skew). */
export const FUTURE_TOLERANCE_MS = MINUTE_MS;

/**
 * A zod path as a reader writes it: `samples[3].good`, not `samples.3.good`.
 */
export function describePath(path: ReadonlyArray<string | number>): string {
  let described = '';
  for (const part of path) {
    if (typeof part === 'number') described += `[${part}]`;
    else described += described ? `.${part}` : part;
  }
  return described;
}

/** The index of the sample an issue is about; the batch's own issues first. */
const sampleIndex = (issue: z.ZodIssue) =>
  typeof issue.path[1] === 'number' ? issue.path[1] : -1;

/** One InputError naming every issue, in the order of the samples. */
function issuesToError(issues: readonly z.ZodIssue[]): InputError {
  const ordered = [...issues].sort((a, b) => sampleIndex(a) - sampleIndex(b));
  const lines = ordered.map(issue => {
    const at = describePath(issue.path);
    return at ? `${at}: ${issue.message}` : issue.message;
  });
  return new InputError(`Invalid input: ${lines.join('; ')}`);
}

/**
 * Parses a push body, `{ samples: [{ timestamp, good, total }] }`, against
 * every rule: whole UTC minutes, integers ≥ 0, good ≤ total, strictly
 * increasing timestamps, none more than a minute past `now`, at most a
 * week of samples. Throws an InputError (400) naming each bad sample by
 * index and field; the caller stores nothing of a batch that throws.
 */
export function parseSampleBatch(body: unknown, now: Date): MinuteCounts[] {
  const parsed = sloSampleBatchSchema.safeParse(body);
  if (!parsed.success) throw issuesToError(parsed.error.issues);
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  const future = parsed.data.samples.flatMap((sample: SloSample, i) =>
    Date.parse(sample.timestamp) > latest
      ? [
          {
            code: z.ZodIssueCode.custom,
            path: ['samples', i, 'timestamp'],
            message: `is in the future (after ${new Date(
              latest,
            ).toISOString()})`,
          } as z.ZodIssue,
        ]
      : [],
  );
  if (future.length) throw issuesToError(future);
  return parsed.data.samples.map(sample => ({
    minute: new Date(sample.timestamp),
    good: sample.good,
    total: sample.total,
  }));
}

const isoInstant = isoDateTimeSchema;

const rangeQuerySchema = z
  .object({ from: isoInstant.optional(), to: isoInstant.optional() })
  .strict();

/** The default range of a read without `from`: the day before `to`. */
export const DEFAULT_RANGE_MS = DAY_MS;

/**
 * Parses the `from` and `to` of a minutes read (ISO date-times, both
 * inclusive). `to` defaults to `now`, `from` to a day before `to`; `from`
 * after `to`, or a range longer than {@link MAX_SAMPLE_RANGE_DAYS} days, is
 * an InputError (400).
 */
export function parseSampleRange(
  query: unknown,
  now: Date,
): { from: Date; to: Date } {
  const parsed = rangeQuerySchema.safeParse(query);
  if (!parsed.success) throw issuesToError(parsed.error.issues);
  const to = parsed.data.to ? new Date(parsed.data.to) : now;
  const from = parsed.data.from
    ? new Date(parsed.data.from)
    : new Date(to.getTime() - DEFAULT_RANGE_MS);
  if (from > to) {
    throw new InputError('Invalid input: from: must not be after to');
  }
  if (to.getTime() - from.getTime() > MAX_SAMPLE_RANGE_DAYS * DAY_MS) {
    throw new InputError(
      `Invalid input: the range from ${from.toISOString()} to ${to.toISOString()} is longer than ${MAX_SAMPLE_RANGE_DAYS} days; ask for at most ${MAX_SAMPLE_RANGE_DAYS} days at a time`,
    );
  }
  return { from, to };
}
