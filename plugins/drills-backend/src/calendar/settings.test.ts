import { calendarSettingsSchema, DEFAULT_ROTATION } from './calendar';

function problems(input: unknown): string[] {
  const result = calendarSettingsSchema.safeParse(input);
  if (result.success) {
    return [];
  }
  return result.error.issues.map(
    issue => `${issue.path.join('.')}: ${issue.message}`,
  );
}

describe('calendarSettingsSchema', () => {
  it('fills defaults so an empty config runs', () => {
    expect(calendarSettingsSchema.parse({})).toEqual({
      timezone: 'UTC',
      startTime: '10:00',
      durationMinutes: 120,
      rotation: [...DEFAULT_ROTATION],
      rotationStart: '2026-01',
    });
  });

  it('accepts a full config and spells the timezone canonically', () => {
    expect(
      calendarSettingsSchema.parse({
        timezone: 'europe/berlin',
        startTime: '09:30',
        durationMinutes: 90,
        rotation: ['key-rotation', 'regional-failover'],
        rotationStart: '2026-07',
      }),
    ).toEqual({
      timezone: 'Europe/Berlin',
      startTime: '09:30',
      durationMinutes: 90,
      rotation: ['key-rotation', 'regional-failover'],
      rotationStart: '2026-07',
    });
  });

  it('keeps a valid zone name as written, links included', () => {
    expect(
      calendarSettingsSchema.parse({ timezone: 'Asia/Kolkata' }).timezone,
    ).toBe('Asia/Kolkata');
    expect(
      calendarSettingsSchema.parse({ timezone: 'Asia/Calcutta' }).timezone,
    ).toBe('Asia/Calcutta');
  });

  it('names an unknown timezone', () => {
    expect(problems({ timezone: 'Europe/Atlantis' })).toEqual([
      'timezone: "Europe/Atlantis" is not an IANA timezone name (e.g. "Europe/Berlin", "America/New_York")',
    ]);
    expect(problems({ timezone: 1 })).toEqual([
      'timezone: must be an IANA timezone name such as "Europe/Berlin"',
    ]);
  });

  it.each(['25:00', '9:00', '10:60', '10.00', '10:00:00'])(
    'refuses the start time %s',
    startTime => {
      expect(problems({ startTime })).toEqual([
        'startTime: must be a 24-hour local time "HH:mm", e.g. "10:00"',
      ]);
    },
  );

  it('refuses durations that are not whole positive minutes up to a day', () => {
    expect(problems({ durationMinutes: 0 })).toEqual([
      'durationMinutes: must be at least 1 minute',
    ]);
    expect(problems({ durationMinutes: 1.5 })).toEqual([
      'durationMinutes: must be a whole number of minutes',
    ]);
    expect(problems({ durationMinutes: 1441 })).toEqual([
      'durationMinutes: must be at most 1440 minutes (one day)',
    ]);
    expect(problems({ durationMinutes: '60' })).toEqual([
      'durationMinutes: must be a number of minutes',
    ]);
  });

  it('refuses an empty rotation, duplicates and ids that are not kebab-case', () => {
    expect(problems({ rotation: [] })).toEqual([
      'rotation: must name at least one scenario',
    ]);
    expect(
      problems({
        rotation: ['key-rotation', 'regional-failover', 'key-rotation'],
      }),
    ).toEqual([
      'rotation.2: "key-rotation" appears more than once; each scenario may appear once in the rotation',
    ]);
    expect(problems({ rotation: ['Key Rotation'] })).toEqual([
      'rotation.0: must be a scenario id in kebab-case, e.g. "key-rotation"',
    ]);
    expect(problems({ rotation: 'key-rotation' })).toEqual([
      'rotation: must be a list of scenario ids',
    ]);
  });

  it.each(['2026-13', '2026-1', '26-01', '2026-00', '2026/01'])(
    'refuses the rotation start %s',
    rotationStart => {
      expect(problems({ rotationStart })).toEqual([
        'rotationStart: must be a month "YYYY-MM", e.g. "2026-01"',
      ]);
    },
  );

  it('refuses unknown keys', () => {
    expect(problems({ timeZone: 'Europe/Berlin' })).toEqual([
      ": Unrecognized key(s) in object: 'timeZone'",
    ]);
  });
});
