import { DateTime, IANAZone } from 'luxon';
import type {
  CalendarEntry,
  CalendarEntryStatus,
} from '@internal/plugin-drills-common';
import { z } from 'zod';

export type { CalendarEntry, CalendarEntryStatus };

/**
 * The drill calendar: computed from settings and a list of overrides, never
 * stored. Every month from `rotationStart` on has one drill, on the first
 * Tuesday of the month at `startTime` local time in `timezone`, and its
 * scenario is `rotation[(months since rotationStart) mod rotation.length]`.
 *
 * Decisions (also in the package README):
 * - Months before `rotationStart` have no drill: they are left out of the
 *   calendar (the rotation is not wrapped backwards) and overrides for them
 *   are refused.
 * - A skip does NOT shift the rotation: the month's scenario is simply not
 *   drilled, and the next month keeps its own scenario.
 * - A swap replaces the scenario of that one month only.
 * - A reschedule moves that one month's drill to another day of the same
 *   month (and optionally another start time); the rotation is untouched.
 * - A month may have several overrides. They are an append-only log: they
 *   apply in the order of `at` (ties in list order), each one changing the
 *   state the earlier ones left, so a later skip wins over an earlier swap and
 *   a later swap or reschedule brings a skipped month back. To undo a swap,
 *   swap back to the rotation's scenario; to undo a skip, swap to (or
 *   reschedule) the scenario you want. Nothing is ever deleted, which keeps the
 *   audit trail and lets the iCalendar SEQUENCE only grow.
 * - The calendar starts with the month of `from` in the configured timezone
 *   and lists that month's drill even when it has already passed: the UI
 *   compares `endsAt` with the clock to mark past drills.
 */

/** The six scenarios of the monthly drill, in the default rotation order. */
export const DEFAULT_ROTATION: readonly string[] = [
  'database-failure-restore',
  'bad-deploy-rollback',
  'security-incident-response',
  'regional-failover',
  'key-rotation',
  'full-disaster-recovery',
];

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A drill lasts at most a day. */
const MAX_DURATION_MINUTES = 24 * 60;

/** `drills.calendar` config, with defaults so a fresh checkout runs. */
export const calendarSettingsSchema = z
  .object({
    timezone: z
      .string({
        invalid_type_error:
          'must be an IANA timezone name such as "Europe/Berlin"',
      })
      .refine(
        zone => IANAZone.isValidZone(zone),
        zone => ({
          message: `"${zone}" is not an IANA timezone name (e.g. "Europe/Berlin", "America/New_York")`,
        }),
      )
      .transform(canonicalZone)
      .default('UTC'),
    startTime: z
      .string({ invalid_type_error: 'must be a time of day "HH:mm"' })
      .regex(TIME_RE, 'must be a 24-hour local time "HH:mm", e.g. "10:00"')
      .default('10:00'),
    durationMinutes: z
      .number({ invalid_type_error: 'must be a number of minutes' })
      .int('must be a whole number of minutes')
      .positive('must be at least 1 minute')
      .max(MAX_DURATION_MINUTES, 'must be at most 1440 minutes (one day)')
      .default(120),
    rotation: z
      .array(
        z
          .string({ invalid_type_error: 'must be a scenario id' })
          .regex(
            /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
            'must be a scenario id in kebab-case, e.g. "key-rotation"',
          ),
        { invalid_type_error: 'must be a list of scenario ids' },
      )
      .nonempty('must name at least one scenario')
      .superRefine((ids, ctx) => {
        const seen = new Set<string>();
        ids.forEach((id, index) => {
          if (seen.has(id)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [index],
              message: `"${id}" appears more than once; each scenario may appear once in the rotation`,
            });
          }
          seen.add(id);
        });
      })
      .default([...DEFAULT_ROTATION] as [string, ...string[]]),
    rotationStart: z
      .string({ invalid_type_error: 'must be a month "YYYY-MM"' })
      .regex(MONTH_RE, 'must be a month "YYYY-MM", e.g. "2026-01"')
      .default('2026-01'),
  })
  .strict();

/** The validated `drills.calendar` settings. */
export type CalendarSettings = z.output<typeof calendarSettingsSchema>;

/** What every override carries: the month, why, who recorded it and when. */
interface OverrideBase {
  /** `YYYY-MM`: the month whose drill changes. */
  month: string;
  reason: string;
  /** Entity ref of whoever recorded it. */
  by: string;
  /** ISO 8601 instant the override was recorded. */
  at: string;
}

/** A recorded change to one month's drill. */
export type CalendarOverride =
  | (OverrideBase & { kind: 'skip' })
  | (OverrideBase & { kind: 'swap'; scenarioId: string })
  | (OverrideBase & {
      kind: 'reschedule';
      /** `YYYY-MM-DD`, a day of the same month. */
      date: string;
      /** `HH:mm`; the configured start time when absent. */
      startTime?: string;
    });

export interface DrillCalendarOptions {
  from: Date;
  /** How many months, starting with the month of `from`; 12 when absent. */
  months?: number;
  settings: CalendarSettings;
  overrides?: readonly CalendarOverride[];
}

function canonicalZone(zone: string): string {
  // Fix only the spelling's case ("europe/berlin" -> "Europe/Berlin"). Intl
  // also maps links to ICU's legacy ids ("Asia/Kolkata" -> "Asia/Calcutta",
  // varying by Node version); a name the admin wrote is kept as written.
  try {
    const resolved = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
    }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  } catch {
    return zone;
  }
}

function assertZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) {
    throw new Error(`"${zone}" is not an IANA timezone name`);
  }
}

/**
 * The first Tuesday of `month` (1-12) of `year`, as the start of that day in
 * `zone`.
 */
export function firstTuesday(
  year: number,
  month: number,
  zone: string,
): DateTime {
  assertZone(zone);
  if (!Number.isInteger(year) || !Number.isInteger(month)) {
    throw new Error('year and month must be whole numbers');
  }
  if (month < 1 || month > 12) {
    throw new Error(`month must be 1-12, got ${month}`);
  }
  const first = DateTime.fromObject({ year, month, day: 1 }, { zone });
  const tuesday = 2; // luxon: Monday 1 ... Sunday 7
  return first.plus({ days: (tuesday - first.weekday + 7) % 7 });
}

/** `YYYY-MM` to a running month number (year * 12 + month - 1). */
function monthIndex(month: string): number {
  const match = MONTH_RE.exec(month);
  if (!match) {
    throw new Error(`"${month}" is not a month "YYYY-MM"`);
  }
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

function monthFromIndex(index: number): { year: number; month: number } {
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

function formatMonth(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** The scenario the rotation gives `month`, or undefined before it starts. */
export function rotationScenario(
  month: string,
  settings: Pick<CalendarSettings, 'rotation' | 'rotationStart'>,
): string | undefined {
  const offset = monthIndex(month) - monthIndex(settings.rotationStart);
  if (offset < 0) {
    return undefined;
  }
  return settings.rotation[offset % settings.rotation.length];
}

function parseTime(time: string): { hour: number; minute: number } {
  const match = TIME_RE.exec(time);
  if (!match) {
    throw new Error(`"${time}" is not a time "HH:mm"`);
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function localStart(date: DateTime, time: string, zone: string): DateTime {
  return DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, ...parseTime(time) },
    { zone },
  );
}

function iso(instant: DateTime): string {
  return instant.toUTC().toISO({ suppressMilliseconds: true })!;
}

function overrideTime(override: CalendarOverride): number {
  const millis = Date.parse(override.at);
  return Number.isNaN(millis) ? 0 : millis;
}

/** Overrides in the order they apply: by `at`, ties in list order. */
function inApplyOrder(
  overrides: readonly CalendarOverride[],
): CalendarOverride[] {
  return overrides
    .map((override, index) => ({ override, index }))
    .sort(
      (a, b) =>
        overrideTime(a.override) - overrideTime(b.override) ||
        a.index - b.index,
    )
    .map(({ override }) => override);
}

/**
 * The entry for one month, or undefined before the rotation starts.
 * `overrides` may hold any months; only `month`'s apply.
 */
export function calendarEntry(
  month: string,
  settings: CalendarSettings,
  overrides: readonly CalendarOverride[] = [],
): CalendarEntry | undefined {
  const rotated = rotationScenario(month, settings);
  if (rotated === undefined) {
    return undefined;
  }
  const zone = settings.timezone;
  const { year, month: monthNumber } = monthFromIndex(monthIndex(month));
  const tuesday = firstTuesday(year, monthNumber, zone);

  let scenarioId = rotated;
  let skipped = false;
  let day = tuesday;
  let time = settings.startTime;
  let last: CalendarOverride | undefined;
  for (const override of inApplyOrder(
    overrides.filter(o => o.month === month),
  )) {
    last = override;
    if (override.kind === 'skip') {
      skipped = true;
    } else if (override.kind === 'swap') {
      skipped = false;
      scenarioId = override.scenarioId;
    } else {
      skipped = false;
      const moved = DateTime.fromISO(override.date, { zone });
      if (moved.isValid) {
        day = moved;
      }
      time = override.startTime ?? settings.startTime;
    }
  }

  const startsAt = localStart(day, time, zone);
  const endsAt = startsAt.plus({ minutes: settings.durationMinutes });
  const moved =
    startsAt.toMillis() !==
    localStart(tuesday, settings.startTime, zone).toMillis();

  let status: CalendarEntryStatus = 'planned';
  if (skipped) {
    status = 'skipped';
  } else if (moved) {
    status = 'rescheduled';
  } else if (scenarioId !== rotated) {
    status = 'swapped';
  }

  const entry: CalendarEntry = {
    month,
    scenarioId,
    startsAt: iso(startsAt),
    endsAt: iso(endsAt),
    localDate: startsAt.toISODate()!,
    localTime: startsAt.toFormat('HH:mm'),
    timezone: zone,
    status,
  };
  if (last) {
    entry.reason = last.reason;
    entry.changedAt = last.at;
    entry.changedBy = last.by;
  }
  if (scenarioId !== rotated) {
    entry.originalScenarioId = rotated;
  }
  if (moved) {
    entry.originalLocalDate = tuesday.toISODate()!;
  }
  return entry;
}

/**
 * The drills of `months` months (12 by default) starting with the month that
 * `from` falls in, in the configured timezone. Months before the rotation
 * starts are left out, so the list can be shorter than `months`.
 */
export function drillCalendar(options: DrillCalendarOptions): CalendarEntry[] {
  const { from, months = 12, settings, overrides = [] } = options;
  assertZone(settings.timezone);
  if (!Number.isInteger(months) || months < 1 || months > 120) {
    throw new Error(`months must be a whole number 1-120, got ${months}`);
  }
  const start = DateTime.fromJSDate(from, { zone: settings.timezone });
  if (!start.isValid) {
    throw new Error('from must be a valid date');
  }
  const first = start.year * 12 + start.month - 1;
  const entries: CalendarEntry[] = [];
  for (let i = 0; i < months; i++) {
    const { year, month } = monthFromIndex(first + i);
    const entry = calendarEntry(formatMonth(year, month), settings, overrides);
    if (entry) {
      entries.push(entry);
    }
  }
  return entries;
}

/** Shape of an override as recorded; the rules are in `validateOverride`. */
const overrideBase = {
  month: z
    .string({ required_error: 'month is required' })
    .regex(MONTH_RE, 'month must be "YYYY-MM", e.g. "2026-03"'),
  reason: z
    .string({ required_error: 'a reason is required' })
    .trim()
    .min(10, 'the reason must be at least 10 characters'),
  by: z
    .string({ required_error: 'by is required' })
    .trim()
    .min(1, 'by is required'),
  at: z
    .string({ required_error: 'at is required' })
    .datetime({ offset: true, message: 'at must be an ISO 8601 instant' }),
};

export const calendarOverrideSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ ...overrideBase, kind: z.literal('skip') }).strict(),
    z
      .object({
        ...overrideBase,
        kind: z.literal('swap'),
        scenarioId: z
          .string({
            required_error: 'a swap needs the scenarioId to drill instead',
          })
          .min(1, 'a swap needs the scenarioId to drill instead'),
      })
      .strict(),
    z
      .object({
        ...overrideBase,
        kind: z.literal('reschedule'),
        date: z
          .string({ required_error: 'a reschedule needs the new date' })
          .regex(DATE_RE, 'date must be "YYYY-MM-DD"'),
        startTime: z
          .string()
          .regex(TIME_RE, 'startTime must be a 24-hour local time "HH:mm"')
          .optional(),
      })
      .strict(),
  ],
  {
    errorMap: (issue, ctx) =>
      issue.code === z.ZodIssueCode.invalid_union_discriminator
        ? { message: 'kind must be "skip", "swap" or "reschedule"' }
        : { message: ctx.defaultError },
  },
);

export interface ValidateOverrideContext {
  settings: CalendarSettings;
  /** The overrides already recorded (any months). */
  existing: readonly CalendarOverride[];
  /** Scenario ids known from the runbooks; the rotation's are always allowed. */
  knownScenarioIds: ReadonlySet<string>;
  now: Date;
}

export type ValidateOverrideResult =
  | {
      ok: true;
      override: CalendarOverride;
      /** The month's drill once the override is recorded. */
      entry: CalendarEntry;
    }
  | { ok: false; errors: string[] };

/**
 * Checks an override before it is recorded. A second override for a month
 * is allowed (the log is append-only, see the top of this file), but one that
 * changes nothing is refused. Refused: a month before the current one, a
 * skip or swap of a drill that has already started (a drill that could not
 * run on its day may still be rescheduled to a later time in its month),
 * a month before the rotation starts,
 * a reason under 10 characters, a swap to an unknown scenario, a reschedule
 * to another month or to a time already past, and an `at` earlier than the
 * month's latest override.
 */
export function validateOverride(
  input: unknown,
  context: ValidateOverrideContext,
): ValidateOverrideResult {
  const parsed = calendarOverrideSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map(issue => issue.message),
    };
  }
  const override = parsed.data as CalendarOverride;
  const { settings, existing, knownScenarioIds, now } = context;
  const zone = settings.timezone;
  const errors: string[] = [];

  const nowLocal = DateTime.fromJSDate(now, { zone });
  const currentMonth = formatMonth(nowLocal.year, nowLocal.month);
  const before = calendarEntry(override.month, settings, existing);

  if (monthIndex(override.month) < monthIndex(currentMonth)) {
    errors.push(
      `${override.month} is in the past; only this month and later can change`,
    );
  } else if (!before) {
    errors.push(
      `${override.month} has no drill: the rotation starts in ${settings.rotationStart}`,
    );
  } else if (
    override.kind !== 'reschedule' &&
    Date.parse(before.startsAt) <= now.getTime()
  ) {
    errors.push(
      `the ${override.month} drill started at ${before.startsAt}; it can only be rescheduled to a later time`,
    );
  }

  if (override.kind === 'swap') {
    if (
      !settings.rotation.includes(override.scenarioId) &&
      !knownScenarioIds.has(override.scenarioId)
    ) {
      errors.push(
        `unknown scenario "${override.scenarioId}"; choose one of ${[
          ...new Set([...settings.rotation, ...knownScenarioIds]),
        ].join(', ')}`,
      );
    }
  }

  if (override.kind === 'reschedule') {
    const date = DateTime.fromISO(override.date, { zone });
    if (!date.isValid) {
      errors.push(`${override.date} is not a date`);
    } else if (!override.date.startsWith(`${override.month}-`)) {
      errors.push(
        `a reschedule stays within its month: ${override.date} is not in ${override.month}`,
      );
    } else {
      const startsAt = localStart(
        date,
        override.startTime ?? settings.startTime,
        zone,
      );
      if (startsAt.toMillis() <= now.getTime()) {
        errors.push(
          `${override.date} ${
            override.startTime ?? settings.startTime
          } is already past`,
        );
      }
    }
  }

  const latest = existing
    .filter(o => o.month === override.month)
    .reduce((max, o) => Math.max(max, overrideTime(o)), -Infinity);
  if (Date.parse(override.at) < latest) {
    errors.push(
      `at is earlier than the latest override recorded for ${override.month}`,
    );
  }

  if (errors.length > 0 || !before) {
    return { ok: false, errors };
  }

  const after = calendarEntry(override.month, settings, [
    ...existing,
    override,
  ])!;
  if (
    after.status === before.status &&
    after.scenarioId === before.scenarioId &&
    after.startsAt === before.startsAt
  ) {
    return {
      ok: false,
      errors: [
        `this changes nothing: ${override.month} is already ${before.status} with ${before.scenarioId} on ${before.localDate} ${before.localTime}`,
      ],
    };
  }
  return { ok: true, override, entry: after };
}
