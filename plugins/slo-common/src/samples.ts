import { createPermission } from '@backstage/plugin-permission-common';
import { z } from 'zod';

/**
 * Push SLI counts for an objective (`POST /objectives/:ref/samples`). Kept
 * apart from `slo.objective.manage`: a service or a team that feeds counts
 * need not be able to change objectives or silence their alerts.
 */
export const sloSamplesPushPermission = createPermission({
  name: 'slo.samples.push',
  attributes: { action: 'create' },
});

/** At most this many samples in one push: a week of minutes. */
export const MAX_SAMPLES_PER_BATCH = 7 * 24 * 60;

/** The longest range `GET /objectives/:ref/samples` answers, in days. */
export const MAX_SAMPLE_RANGE_DAYS = 31;

/** Where a minute's counts came from. */
export const SLI_SOURCES = ['push', 'prometheus', 'privacy'] as const;
export type SliSource = (typeof SLI_SOURCES)[number];

const count = z
  .number({
    required_error: 'is required',
    invalid_type_error: 'must be a number',
  })
  .int('must be an integer')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

/** zod takes an offset such as +25:00 that no Date can hold: such a text is no instant. */
function isRealInstant(value: string): boolean {
  // Texts that are no date-time at all have the datetime check's issue.
  return !/^\d{4}-\d\d-\d\dT/.test(value) || Number.isFinite(Date.parse(value));
}

const REAL_INSTANT_MESSAGE = 'must be a real date-time (offset within ±23:59)';

/** An ISO 8601 date-time with an offset, that is a real instant. */
export const isoDateTimeSchema = z
  .string({ invalid_type_error: 'must be an ISO date-time string' })
  .datetime({ offset: true, message: 'must be an ISO date-time' })
  .refine(isRealInstant, REAL_INSTANT_MESSAGE);

/**
 * One pushed minute: `timestamp` is the start of a whole UTC minute (an ISO
 * date-time with zero seconds and milliseconds), `good` of `total` events.
 */
export const sloSampleSchema = z
  .object({
    timestamp: z
      .string({
        required_error: 'is required',
        invalid_type_error: 'must be an ISO date-time string',
      })
      .datetime({ offset: true, message: 'must be an ISO date-time' })
      .refine(isRealInstant, REAL_INSTANT_MESSAGE)
      .refine(
        // An unreadable date-time has its own issue above.
        value =>
          Number.isNaN(Date.parse(value)) || Date.parse(value) % 60_000 === 0,
        'must be a whole minute (seconds and milliseconds zero)',
      ),
    good: count,
    total: count,
  })
  .strict()
  .superRefine((sample, ctx) => {
    if (sample.good > sample.total) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['good'],
        message: 'must not exceed total',
      });
    }
  });

/**
 * The push body, `{ samples: [...] }`: at most {@link MAX_SAMPLES_PER_BATCH}
 * samples with strictly increasing timestamps (a minute out of order or
 * twice is an error). What does not depend on the clock; the backend also
 * refuses minutes in the future.
 */
export const sloSampleBatchSchema = z
  .object({
    samples: z
      .array(sloSampleSchema, {
        required_error: 'is required',
        invalid_type_error: 'must be an array',
      })
      .max(
        MAX_SAMPLES_PER_BATCH,
        `at most ${MAX_SAMPLES_PER_BATCH} samples per push`,
      ),
  })
  .strict()
  .superRefine((batch, ctx) => {
    for (let i = 1; i < batch.samples.length; i++) {
      const previous = Date.parse(batch.samples[i - 1].timestamp);
      const current = Date.parse(batch.samples[i].timestamp);
      if (current <= previous) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['samples', i, 'timestamp'],
          message:
            current === previous
              ? `repeats the minute of samples[${i - 1}]`
              : `is before samples[${i - 1}] (timestamps must increase)`,
        });
      }
    }
  });

export type SloSample = z.infer<typeof sloSampleSchema>;
export type SloSampleBatch = z.infer<typeof sloSampleBatchSchema>;

/** What a push answers. */
export interface SloSamplesPushResult {
  stored: number;
}

/** One stored minute of an objective's SLI. */
export interface SloMinute {
  /** The minute's start, ISO UTC. */
  minute: string;
  good: number;
  total: number;
  source: SliSource;
}

/** What `GET /objectives/:ref/samples` answers: minutes in [from, to], oldest first. */
export interface SloMinutesResponse {
  objectiveRef: string;
  from: string;
  to: string;
  minutes: SloMinute[];
}
