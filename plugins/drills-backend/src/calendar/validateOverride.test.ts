import {
  CalendarOverride,
  calendarSettingsSchema,
  DEFAULT_ROTATION,
  validateOverride,
  ValidateOverrideContext,
} from './calendar';

const [DB, , SECURITY, REGION, KEYS] = DEFAULT_ROTATION;
const LEAD = 'user:default/drill-lead';

// 2026-03-10 12:00 UTC: the March drill (3 March, 10:00 Berlin) has passed.
const NOW = new Date('2026-03-10T12:00:00Z');
const AT = NOW.toISOString();

function context(
  existing: CalendarOverride[] = [],
  now: Date = NOW,
): ValidateOverrideContext {
  return {
    settings: calendarSettingsSchema.parse({
      timezone: 'Europe/Berlin',
      rotationStart: '2026-01',
    }),
    existing,
    knownScenarioIds: new Set(['tabletop-ransomware']),
    now,
  };
}

function errorsOf(input: unknown, ctx = context()): string[] {
  const result = validateOverride(input, ctx);
  return result.ok ? [] : result.errors;
}

const skipApril = {
  month: '2026-04',
  kind: 'skip',
  reason: 'Easter week, half the team away',
  by: LEAD,
  at: AT,
};

describe('validateOverride', () => {
  it('accepts a skip and returns the month it produces', () => {
    const result = validateOverride(skipApril, context());
    expect(result).toEqual({
      ok: true,
      override: skipApril,
      entry: expect.objectContaining({
        month: '2026-04',
        status: 'skipped',
        scenarioId: REGION,
      }),
    });
  });

  it('wants a reason of at least 10 characters, after trimming', () => {
    expect(errorsOf({ ...skipApril, reason: '  flu season  ' })).toEqual([]);
    expect(errorsOf({ ...skipApril, reason: '   holiday   ' })).toEqual([
      'the reason must be at least 10 characters',
    ]);
    expect(errorsOf({ ...skipApril, reason: undefined })).toEqual([
      'a reason is required',
    ]);
  });

  it('names an unknown kind and missing fields', () => {
    expect(errorsOf({ ...skipApril, kind: 'cancel' })).toEqual([
      'kind must be "skip", "swap" or "reschedule"',
    ]);
    expect(errorsOf({ ...skipApril, kind: 'swap' })).toEqual([
      'a swap needs the scenarioId to drill instead',
    ]);
    expect(errorsOf({ ...skipApril, kind: 'reschedule' })).toEqual([
      'a reschedule needs the new date',
    ]);
    expect(errorsOf({ ...skipApril, month: '2026-4' })).toEqual([
      'month must be "YYYY-MM", e.g. "2026-03"',
    ]);
  });

  it('takes a swap to a rotation scenario or a known one, and names the choices otherwise', () => {
    const swap = {
      ...skipApril,
      kind: 'swap',
      reason: 'Key rotation is due this month',
    };
    expect(errorsOf({ ...swap, scenarioId: KEYS })).toEqual([]);
    expect(errorsOf({ ...swap, scenarioId: 'tabletop-ransomware' })).toEqual(
      [],
    );
    expect(errorsOf({ ...swap, scenarioId: 'chaos-monkey' })).toEqual([
      `unknown scenario "chaos-monkey"; choose one of ${[
        ...DEFAULT_ROTATION,
        'tabletop-ransomware',
      ].join(', ')}`,
    ]);
  });

  it('refuses a month in the past', () => {
    expect(errorsOf({ ...skipApril, month: '2026-02' })).toEqual([
      '2026-02 is in the past; only this month and later can change',
    ]);
  });

  it('refuses a month before the rotation starts', () => {
    const ctx = context();
    ctx.settings = { ...ctx.settings, rotationStart: '2026-06' };
    expect(errorsOf(skipApril, ctx)).toEqual([
      '2026-04 has no drill: the rotation starts in 2026-06',
    ]);
  });

  it('refuses to skip or swap a drill that has started, but lets it move later in its month', () => {
    const march = { ...skipApril, month: '2026-03' };
    expect(errorsOf(march)).toEqual([
      'the 2026-03 drill started at 2026-03-03T09:00:00Z; it can only be rescheduled to a later time',
    ]);
    expect(errorsOf({ ...march, kind: 'swap', scenarioId: KEYS })).toEqual([
      'the 2026-03 drill started at 2026-03-03T09:00:00Z; it can only be rescheduled to a later time',
    ]);
    const result = validateOverride(
      {
        ...march,
        kind: 'reschedule',
        date: '2026-03-17',
        reason: 'Incident on the day, drill postponed',
      },
      context(),
    );
    expect(result.ok && result.entry).toMatchObject({
      status: 'rescheduled',
      scenarioId: SECURITY,
      startsAt: '2026-03-17T09:00:00Z',
    });
  });

  it('allows changes to this month before its drill starts', () => {
    const early = new Date('2026-03-02T12:00:00Z');
    expect(
      errorsOf(
        { ...skipApril, month: '2026-03', at: early.toISOString() },
        context([], early),
      ),
    ).toEqual([]);
  });

  it('keeps a reschedule within its month and in the future', () => {
    const reschedule = {
      ...skipApril,
      kind: 'reschedule',
      reason: 'Team offsite in the first week',
    };
    expect(errorsOf({ ...reschedule, date: '2026-05-05' })).toEqual([
      'a reschedule stays within its month: 2026-05-05 is not in 2026-04',
    ]);
    expect(errorsOf({ ...reschedule, date: '2026-04-31' })).toEqual([
      '2026-04-31 is not a date',
    ]);
    expect(
      errorsOf({ ...reschedule, month: '2026-03', date: '2026-03-09' }),
    ).toEqual(['2026-03-09 10:00 is already past']);
    expect(
      errorsOf({
        ...reschedule,
        month: '2026-03',
        date: '2026-03-10',
        startTime: '12:00',
      }),
    ).toEqual(['2026-03-10 12:00 is already past']);
    expect(
      errorsOf({
        ...reschedule,
        month: '2026-03',
        date: '2026-03-10',
        startTime: '14:00',
      }),
    ).toEqual([]);
    expect(
      errorsOf({ ...reschedule, date: '2026-04-14', startTime: '7am' }),
    ).toEqual(['startTime must be a 24-hour local time "HH:mm"']);
  });

  it('accepts a second override of a month, refuses one that changes nothing', () => {
    const existing = [
      { ...skipApril, at: '2026-03-01T09:00:00Z' },
    ] as CalendarOverride[];
    expect(errorsOf(skipApril, context(existing))).toEqual([
      'this changes nothing: 2026-04 is already skipped with regional-failover on 2026-04-07 10:00',
    ]);
    // Swapping back to the month's own scenario un-skips it: a change.
    const unskip = validateOverride(
      {
        ...skipApril,
        kind: 'swap',
        scenarioId: REGION,
        reason: 'Holiday moved, drill goes ahead',
      },
      context(existing),
    );
    expect(unskip.ok && unskip.entry.status).toBe('planned');
    // The same swap on a planned month changes nothing.
    expect(
      errorsOf({
        ...skipApril,
        kind: 'swap',
        scenarioId: REGION,
        reason: 'Same scenario as planned',
      }),
    ).toEqual([
      'this changes nothing: 2026-04 is already planned with regional-failover on 2026-04-07 10:00',
    ]);
    // Rescheduling to the first Tuesday itself changes nothing either.
    expect(
      errorsOf({
        ...skipApril,
        month: '2026-05',
        kind: 'reschedule',
        date: '2026-05-05',
        reason: 'Same day as planned anyway',
      }),
    ).toEqual([
      'this changes nothing: 2026-05 is already planned with key-rotation on 2026-05-05 10:00',
    ]);
  });

  it('refuses an override older than the latest one recorded for its month', () => {
    const existing = [
      { ...skipApril, at: '2026-03-10T12:00:00Z' },
    ] as CalendarOverride[];
    expect(
      errorsOf(
        {
          ...skipApril,
          kind: 'swap',
          scenarioId: DB,
          at: '2026-03-09T12:00:00Z',
        },
        context(existing),
      ),
    ).toEqual(['at is earlier than the latest override recorded for 2026-04']);
  });

  it('reports every problem at once', () => {
    expect(
      errorsOf({
        month: '2026-01',
        kind: 'swap',
        scenarioId: 'nope',
        reason: 'Testing a swap in the past',
        by: LEAD,
        at: AT,
      }),
    ).toEqual([
      '2026-01 is in the past; only this month and later can change',
      `unknown scenario "nope"; choose one of ${[
        ...DEFAULT_ROTATION,
        'tabletop-ransomware',
      ].join(', ')}`,
    ]);
    expect(
      errorsOf({
        month: 'x',
        kind: 'skip',
        reason: 'short',
        by: '',
        at: 'yesterday',
      }),
    ).toEqual([
      'month must be "YYYY-MM", e.g. "2026-03"',
      'the reason must be at least 10 characters',
      'by is required',
      'at must be an ISO 8601 instant',
    ]);
  });
});
