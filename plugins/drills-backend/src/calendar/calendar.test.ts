import {
  calendarEntry,
  CalendarOverride,
  CalendarSettings,
  calendarSettingsSchema,
  DEFAULT_ROTATION,
  drillCalendar,
  firstTuesday,
  rotationScenario,
} from './calendar';

const [DB, DEPLOY, SECURITY, REGION, KEYS, DR] = DEFAULT_ROTATION;

function settings(overrides: Partial<CalendarSettings> = {}): CalendarSettings {
  return calendarSettingsSchema.parse({
    timezone: 'Europe/Berlin',
    startTime: '10:00',
    durationMinutes: 120,
    rotation: [...DEFAULT_ROTATION],
    rotationStart: '2026-01',
    ...overrides,
  });
}

const LEAD = 'user:default/drill-lead';

// Expected values computed independently (Python zoneinfo), not by luxon.
const FIRST_TUESDAYS: Record<string, string[]> = {
  '2026': [
    '2026-01-06',
    '2026-02-03',
    '2026-03-03',
    '2026-04-07',
    '2026-05-05',
    '2026-06-02',
    '2026-07-07',
    '2026-08-04',
    '2026-09-01',
    '2026-10-06',
    '2026-11-03',
    '2026-12-01',
  ],
  '2027': [
    '2027-01-05',
    '2027-02-02',
    '2027-03-02',
    '2027-04-06',
    '2027-05-04',
    '2027-06-01',
    '2027-07-06',
    '2027-08-03',
    '2027-09-07',
    '2027-10-05',
    '2027-11-02',
    '2027-12-07',
  ],
};

// 10:00 local on each first Tuesday, in UTC.
const TEN_AM_UTC: Record<string, Record<string, string[]>> = {
  'Europe/Berlin': {
    '2026': [
      '2026-01-06T09:00:00Z',
      '2026-02-03T09:00:00Z',
      '2026-03-03T09:00:00Z',
      '2026-04-07T08:00:00Z',
      '2026-05-05T08:00:00Z',
      '2026-06-02T08:00:00Z',
      '2026-07-07T08:00:00Z',
      '2026-08-04T08:00:00Z',
      '2026-09-01T08:00:00Z',
      '2026-10-06T08:00:00Z',
      '2026-11-03T09:00:00Z',
      '2026-12-01T09:00:00Z',
    ],
    '2027': [
      '2027-01-05T09:00:00Z',
      '2027-02-02T09:00:00Z',
      '2027-03-02T09:00:00Z',
      '2027-04-06T08:00:00Z',
      '2027-05-04T08:00:00Z',
      '2027-06-01T08:00:00Z',
      '2027-07-06T08:00:00Z',
      '2027-08-03T08:00:00Z',
      '2027-09-07T08:00:00Z',
      '2027-10-05T08:00:00Z',
      '2027-11-02T09:00:00Z',
      '2027-12-07T09:00:00Z',
    ],
  },
  'America/New_York': {
    '2026': [
      '2026-01-06T15:00:00Z',
      '2026-02-03T15:00:00Z',
      '2026-03-03T15:00:00Z',
      '2026-04-07T14:00:00Z',
      '2026-05-05T14:00:00Z',
      '2026-06-02T14:00:00Z',
      '2026-07-07T14:00:00Z',
      '2026-08-04T14:00:00Z',
      '2026-09-01T14:00:00Z',
      '2026-10-06T14:00:00Z',
      '2026-11-03T15:00:00Z',
      '2026-12-01T15:00:00Z',
    ],
    '2027': [
      '2027-01-05T15:00:00Z',
      '2027-02-02T15:00:00Z',
      '2027-03-02T15:00:00Z',
      '2027-04-06T14:00:00Z',
      '2027-05-04T14:00:00Z',
      '2027-06-01T14:00:00Z',
      '2027-07-06T14:00:00Z',
      '2027-08-03T14:00:00Z',
      '2027-09-07T14:00:00Z',
      // DST in New York ends on 7 November 2027: still EDT on the 2nd.
      '2027-10-05T14:00:00Z',
      '2027-11-02T14:00:00Z',
      '2027-12-07T15:00:00Z',
    ],
  },
};

describe('firstTuesday', () => {
  describe.each(['Europe/Berlin', 'America/New_York'])('in %s', zone => {
    it.each(['2026', '2027'])('gives every first Tuesday of %s', year => {
      const dates = Array.from({ length: 12 }, (_, i) =>
        firstTuesday(Number(year), i + 1, zone),
      );
      expect(dates.map(d => d.toISODate())).toEqual(FIRST_TUESDAYS[year]);
      expect(dates.every(d => d.weekday === 2)).toBe(true);
      expect(dates.every(d => d.hour === 0 && d.minute === 0)).toBe(true);
      expect(dates.every(d => d.zoneName === zone)).toBe(true);
    });
  });

  it('is the 1st itself when the month starts on a Tuesday', () => {
    expect(firstTuesday(2026, 9, 'Europe/Berlin').toISODate()).toBe(
      '2026-09-01',
    );
    expect(firstTuesday(2026, 12, 'America/New_York').toISODate()).toBe(
      '2026-12-01',
    );
    expect(firstTuesday(2027, 6, 'Europe/Berlin').toISODate()).toBe(
      '2027-06-01',
    );
  });

  it('is the 7th when the month starts on a Wednesday', () => {
    // 1 July 2026 is a Wednesday: the latest a first Tuesday can fall.
    expect(firstTuesday(2026, 7, 'UTC').toISODate()).toBe('2026-07-07');
  });

  it('refuses a bad zone or month', () => {
    expect(() => firstTuesday(2026, 1, 'Mars/Olympus_Mons')).toThrow(
      '"Mars/Olympus_Mons" is not an IANA timezone name',
    );
    expect(() => firstTuesday(2026, 13, 'UTC')).toThrow(
      'month must be 1-12, got 13',
    );
    expect(() => firstTuesday(2026, 0, 'UTC')).toThrow(
      'month must be 1-12, got 0',
    );
  });
});

describe('drillCalendar', () => {
  describe.each(['Europe/Berlin', 'America/New_York'])('in %s', zone => {
    it.each(['2026', '2027'])(
      'starts 10:00 local drills at the right UTC instants in %s',
      year => {
        const entries = drillCalendar({
          from: new Date(`${year}-01-15T12:00:00Z`),
          settings: settings({ timezone: zone }),
        });
        expect(entries.map(e => e.startsAt)).toEqual(TEN_AM_UTC[zone][year]);
        expect(entries.map(e => e.localDate)).toEqual(FIRST_TUESDAYS[year]);
        expect(entries.every(e => e.localTime === '10:00')).toBe(true);
        expect(entries.every(e => e.timezone === zone)).toBe(true);
      },
    );
  });

  it('lists 12 months from the month of `from` by default, the past drill of this month included', () => {
    // 20 March 2026: the March drill (3 March) has passed; it is still listed.
    const entries = drillCalendar({
      from: new Date('2026-03-20T12:00:00Z'),
      settings: settings(),
    });
    expect(entries).toHaveLength(12);
    expect(entries[0]).toEqual({
      month: '2026-03',
      scenarioId: SECURITY,
      startsAt: '2026-03-03T09:00:00Z',
      endsAt: '2026-03-03T11:00:00Z',
      localDate: '2026-03-03',
      localTime: '10:00',
      timezone: 'Europe/Berlin',
      status: 'planned',
    });
    expect(entries.map(e => e.month)).toEqual([
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
  });

  it('takes the month of `from` in the configured timezone', () => {
    const from = new Date('2026-01-31T23:30:00Z'); // Feb 1st in Berlin, Jan 31st in New York
    expect(
      drillCalendar({ from, months: 1, settings: settings() })[0].month,
    ).toBe('2026-02');
    expect(
      drillCalendar({
        from,
        months: 1,
        settings: settings({ timezone: 'America/New_York' }),
      })[0].month,
    ).toBe('2026-01');
  });

  it('rotates in the configured order from the anchor month and wraps', () => {
    const entries = drillCalendar({
      from: new Date('2026-01-10T12:00:00Z'),
      settings: settings(),
    });
    expect(entries.map(e => e.scenarioId)).toEqual([
      DB,
      DEPLOY,
      SECURITY,
      REGION,
      KEYS,
      DR,
      DB,
      DEPLOY,
      SECURITY,
      REGION,
      KEYS,
      DR,
    ]);
  });

  it('follows a custom order and length', () => {
    const entries = drillCalendar({
      from: new Date('2026-01-10T12:00:00Z'),
      months: 5,
      settings: settings({ rotation: [KEYS, DB], rotationStart: '2026-02' }),
    });
    expect(entries.map(e => [e.month, e.scenarioId])).toEqual([
      ['2026-02', KEYS],
      ['2026-03', DB],
      ['2026-04', KEYS],
      ['2026-05', DB],
    ]);
  });

  it('crosses the year boundary', () => {
    const entries = drillCalendar({
      from: new Date('2026-11-10T12:00:00Z'),
      months: 4,
      settings: settings(),
    });
    expect(entries.map(e => [e.month, e.localDate, e.scenarioId])).toEqual([
      ['2026-11', '2026-11-03', KEYS],
      ['2026-12', '2026-12-01', DR],
      ['2027-01', '2027-01-05', DB],
      ['2027-02', '2027-02-02', DEPLOY],
    ]);
  });

  it('continues the rotation from an anchor years back', () => {
    // 2024-01 .. 2026-03 is 26 months: 26 mod 6 = 2.
    expect(
      rotationScenario('2026-03', settings({ rotationStart: '2024-01' })),
    ).toBe(SECURITY);
  });

  it('has no drill before an anchor in the future (no wrap backwards)', () => {
    const entries = drillCalendar({
      from: new Date('2026-01-10T12:00:00Z'),
      settings: settings({ rotationStart: '2026-05' }),
    });
    expect(entries.map(e => e.month)).toEqual([
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
    expect(entries[0].scenarioId).toBe(DB);
    expect(
      rotationScenario('2026-04', settings({ rotationStart: '2026-05' })),
    ).toBeUndefined();
  });

  it('gives the same local time different UTC times across DST', () => {
    const [march, , , , , , , , november] = drillCalendar({
      from: new Date('2026-03-10T12:00:00Z'),
      months: 9,
      settings: settings(),
    });
    expect(march.startsAt).toBe('2026-03-03T09:00:00Z'); // CET, UTC+1
    expect(november.month).toBe('2026-11');
    expect(november.startsAt).toBe('2026-11-03T09:00:00Z'); // CET again
    const april = drillCalendar({
      from: new Date('2026-04-10T12:00:00Z'),
      months: 1,
      settings: settings(),
    })[0];
    expect(april.startsAt).toBe('2026-04-07T08:00:00Z'); // CEST, UTC+2
    expect(april.endsAt).toBe('2026-04-07T10:00:00Z');
  });

  it('puts a morning drill east of UTC on the previous UTC day', () => {
    const [september, october] = drillCalendar({
      from: new Date('2026-09-05T00:00:00Z'),
      months: 2,
      settings: settings({ timezone: 'Pacific/Auckland' }),
    });
    expect(september.localDate).toBe('2026-09-01');
    expect(september.startsAt).toBe('2026-08-31T22:00:00Z'); // NZST, UTC+12
    expect(october.startsAt).toBe('2026-10-05T21:00:00Z'); // NZDT, UTC+13
  });

  it('uses the configured start time and duration', () => {
    const [entry] = drillCalendar({
      from: new Date('2026-06-10T12:00:00Z'),
      months: 1,
      settings: settings({
        timezone: 'Asia/Kolkata',
        startTime: '14:30',
        durationMinutes: 95,
      }),
    });
    expect(entry.startsAt).toBe('2026-06-02T09:00:00Z');
    expect(entry.endsAt).toBe('2026-06-02T10:35:00Z');
    expect(entry.localTime).toBe('14:30');
  });

  it('refuses a bad number of months or an invalid timezone', () => {
    const from = new Date('2026-01-10T12:00:00Z');
    expect(() =>
      drillCalendar({ from, months: 0, settings: settings() }),
    ).toThrow('months must be a whole number 1-120, got 0');
    expect(() =>
      drillCalendar({
        from,
        settings: { ...settings(), timezone: 'Nowhere/Land' },
      }),
    ).toThrow('"Nowhere/Land" is not an IANA timezone name');
  });
});

describe('overrides', () => {
  const from = new Date('2026-01-10T12:00:00Z');

  function months(overrides: CalendarOverride[], count = 6) {
    return drillCalendar({
      from,
      months: count,
      settings: settings(),
      overrides,
    });
  }

  it('a skip marks the month and does not shift the rotation', () => {
    const entries = months([
      {
        month: '2026-03',
        kind: 'skip',
        reason: 'Company offsite, nobody on call',
        by: LEAD,
        at: '2026-02-01T09:00:00Z',
      },
    ]);
    expect(entries.map(e => [e.scenarioId, e.status])).toEqual([
      [DB, 'planned'],
      [DEPLOY, 'planned'],
      [SECURITY, 'skipped'],
      [REGION, 'planned'],
      [KEYS, 'planned'],
      [DR, 'planned'],
    ]);
    expect(entries[2]).toMatchObject({
      reason: 'Company offsite, nobody on call',
      changedBy: LEAD,
      changedAt: '2026-02-01T09:00:00Z',
      startsAt: '2026-03-03T09:00:00Z',
    });
    expect(entries[2].originalScenarioId).toBeUndefined();
  });

  it('a swap replaces only that month', () => {
    const entries = months([
      {
        month: '2026-04',
        kind: 'swap',
        scenarioId: KEYS,
        reason: 'Certificates expire in May, rotate now',
        by: LEAD,
        at: '2026-02-01T09:00:00Z',
      },
    ]);
    expect(entries.map(e => [e.scenarioId, e.status])).toEqual([
      [DB, 'planned'],
      [DEPLOY, 'planned'],
      [SECURITY, 'planned'],
      [KEYS, 'swapped'],
      [KEYS, 'planned'],
      [DR, 'planned'],
    ]);
    expect(entries[3].originalScenarioId).toBe(REGION);
    expect(entries[3].reason).toBe('Certificates expire in May, rotate now');
  });

  it('a reschedule moves the day (and time) within the month, across DST', () => {
    const entries = months([
      {
        month: '2026-03',
        kind: 'reschedule',
        date: '2026-03-31',
        reason: 'Release freeze in the first week of March',
        by: LEAD,
        at: '2026-02-01T09:00:00Z',
      },
      {
        month: '2026-05',
        kind: 'reschedule',
        date: '2026-05-05',
        startTime: '14:00',
        reason: 'Morning clashes with the board meeting',
        by: LEAD,
        at: '2026-02-01T09:00:00Z',
      },
    ]);
    expect(entries[2]).toMatchObject({
      scenarioId: SECURITY,
      status: 'rescheduled',
      localDate: '2026-03-31',
      localTime: '10:00',
      startsAt: '2026-03-31T08:00:00Z', // CEST from 29 March
      originalLocalDate: '2026-03-03',
    });
    expect(entries[4]).toMatchObject({
      status: 'rescheduled',
      localDate: '2026-05-05',
      localTime: '14:00',
      startsAt: '2026-05-05T12:00:00Z',
      originalLocalDate: '2026-05-05',
    });
    expect(entries[3].status).toBe('planned');
  });

  it('applies several overrides of a month in order of time, not of the list', () => {
    const swap: CalendarOverride = {
      month: '2026-02',
      kind: 'swap',
      scenarioId: DR,
      reason: 'Auditor asked to see a full DR drill',
      by: LEAD,
      at: '2026-01-20T09:00:00Z',
    };
    const skip: CalendarOverride = {
      month: '2026-02',
      kind: 'skip',
      reason: 'Major incident week, team exhausted',
      by: 'user:default/other-lead',
      at: '2026-01-25T09:00:00Z',
    };
    const [, february] = months([skip, swap], 2);
    expect(february).toMatchObject({
      status: 'skipped',
      scenarioId: DR,
      originalScenarioId: DEPLOY,
      reason: 'Major incident week, team exhausted',
      changedBy: 'user:default/other-lead',
      changedAt: '2026-01-25T09:00:00Z',
    });

    // A later swap back to the rotation's scenario undoes both.
    const [, restored] = months(
      [
        skip,
        swap,
        {
          month: '2026-02',
          kind: 'swap',
          scenarioId: DEPLOY,
          reason: 'Incident closed, drill goes ahead as planned',
          by: LEAD,
          at: '2026-01-28T09:00:00Z',
        },
      ],
      2,
    );
    expect(restored.status).toBe('planned');
    expect(restored.scenarioId).toBe(DEPLOY);
    expect(restored.originalScenarioId).toBeUndefined();
    expect(restored.changedAt).toBe('2026-01-28T09:00:00Z');
  });

  it('a swap and a reschedule of one month combine', () => {
    const entry = calendarEntry('2026-06', settings(), [
      {
        month: '2026-06',
        kind: 'swap',
        scenarioId: REGION,
        reason: 'New region goes live in June',
        by: LEAD,
        at: '2026-05-01T09:00:00Z',
      },
      {
        month: '2026-06',
        kind: 'reschedule',
        date: '2026-06-16',
        reason: 'Region cut-over happens on the 15th',
        by: LEAD,
        at: '2026-05-02T09:00:00Z',
      },
    ])!;
    expect(entry).toMatchObject({
      status: 'rescheduled',
      scenarioId: REGION,
      originalScenarioId: DR,
      localDate: '2026-06-16',
      originalLocalDate: '2026-06-02',
    });
  });

  it('ignores overrides of other months and months before the rotation', () => {
    const entries = drillCalendar({
      from,
      months: 3,
      settings: settings({ rotationStart: '2026-02' }),
      overrides: [
        {
          month: '2026-01',
          kind: 'skip',
          reason: 'Before the rotation started',
          by: LEAD,
          at: '2025-12-01T09:00:00Z',
        },
        {
          month: '2027-02',
          kind: 'skip',
          reason: 'Far outside the listed months',
          by: LEAD,
          at: '2025-12-01T09:00:00Z',
        },
      ],
    });
    expect(entries.map(e => [e.month, e.status])).toEqual([
      ['2026-02', 'planned'],
      ['2026-03', 'planned'],
    ]);
  });
});
