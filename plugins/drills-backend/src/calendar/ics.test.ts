import {
  CalendarEntry,
  CalendarOverride,
  calendarSettingsSchema,
  DEFAULT_ROTATION,
  drillCalendar,
} from './calendar';
import { calendarIcs, icsSequence } from './ics';

// ---------------------------------------------------------------------------
// A tiny RFC 5545 reader, enough to check what calendarIcs writes.

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}
interface Component {
  name: string;
  props: Property[];
  children: Component[];
}

/** Physical lines; fails on a bare LF or CR, or output not ending in CRLF. */
function physicalLines(ics: string): string[] {
  expect(ics.endsWith('\r\n')).toBe(true);
  const lines = ics.slice(0, -2).split('\r\n');
  for (const line of lines) {
    expect(line).not.toMatch(/[\r\n]/);
  }
  return lines;
}

function unfold(lines: string[]): string[] {
  const logical: string[] = [];
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      logical[logical.length - 1] += line.slice(1);
    } else {
      logical.push(line);
    }
  }
  return logical;
}

function parseProperty(line: string): Property {
  const colon = line.indexOf(':');
  const [name, ...params] = line.slice(0, colon).split(';');
  return {
    name,
    params: Object.fromEntries(
      params.map(p => p.split('=') as [string, string]),
    ),
    value: line.slice(colon + 1),
  };
}

function parse(ics: string): Component {
  const root: Component = { name: '', props: [], children: [] };
  const stack = [root];
  for (const line of unfold(physicalLines(ics))) {
    const property = parseProperty(line);
    const top = stack[stack.length - 1];
    if (property.name === 'BEGIN') {
      const child = { name: property.value, props: [], children: [] };
      top.children.push(child);
      stack.push(child);
    } else if (property.name === 'END') {
      expect(top.name).toBe(property.value);
      stack.pop();
    } else {
      top.props.push(property);
    }
  }
  expect(stack).toHaveLength(1);
  expect(root.children).toHaveLength(1);
  return root.children[0];
}

function prop(component: Component, name: string): Property {
  const found = component.props.filter(p => p.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c) =>
    c === 'n' || c === 'N' ? '\n' : c,
  );
}

function events(calendar: Component): Component[] {
  return calendar.children.filter(c => c.name === 'VEVENT');
}

// ---------------------------------------------------------------------------

const [DB, , , REGION, KEYS] = DEFAULT_ROTATION;
const LEAD = 'user:default/drill-lead';
const NOW = new Date('2026-02-20T08:00:00Z');
const RUNBOOK = (id: string) =>
  `https://portal.example.com/drills/runbooks/${id}`;

function berlinEntries(
  overrides: CalendarOverride[] = [],
  timezone = 'Europe/Berlin',
): CalendarEntry[] {
  return drillCalendar({
    from: new Date('2026-02-10T12:00:00Z'),
    settings: calendarSettingsSchema.parse({
      timezone,
      rotationStart: '2026-01',
    }),
    overrides,
  });
}

const overrides: CalendarOverride[] = [
  {
    month: '2026-03',
    kind: 'skip',
    reason: 'Company offsite, nobody on call',
    by: LEAD,
    at: '2026-03-01T10:00:00Z',
  },
  {
    month: '2026-04',
    kind: 'swap',
    scenarioId: KEYS,
    reason: 'Certificates expire in May; rotate now',
    by: LEAD,
    at: '2026-02-15T09:30:00Z',
  },
  {
    month: '2026-06',
    kind: 'reschedule',
    date: '2026-06-09',
    reason: 'Conference week, one week later',
    by: LEAD,
    at: '2026-02-16T09:30:00Z',
  },
];

describe('calendarIcs', () => {
  const ics = calendarIcs(berlinEntries(overrides), {
    name: 'Ops drills',
    url: 'https://portal.example.com/api/drills/calendar.ics',
    runbookUrl: RUNBOOK,
    now: NOW,
  });
  const calendar = parse(ics);

  it('is one VCALENDAR with CRLF line endings and lines of at most 75 octets', () => {
    expect(calendar.name).toBe('VCALENDAR');
    expect(prop(calendar, 'VERSION').value).toBe('2.0');
    expect(prop(calendar, 'PRODID').value).toBe('-//ops-portal//drills//EN');
    for (const line of physicalLines(ics)) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    }
    // Long values are folded, not cut.
    expect(physicalLines(ics).some(line => line.startsWith(' '))).toBe(true);
  });

  it('names the calendar and its URL', () => {
    expect(prop(calendar, 'NAME').value).toBe('Ops drills');
    expect(prop(calendar, 'X-WR-CALNAME').value).toBe('Ops drills');
    expect(prop(calendar, 'URL').value).toBe(
      'https://portal.example.com/api/drills/calendar.ics',
    );
    expect(prop(calendar, 'REFRESH-INTERVAL').value).toBe('PT6H');
  });

  it('has one event per month with a stable UID, skipped months included', () => {
    expect(events(calendar).map(e => prop(e, 'UID').value)).toEqual([
      '2026-02@drills.ops-portal',
      '2026-03@drills.ops-portal',
      '2026-04@drills.ops-portal',
      '2026-05@drills.ops-portal',
      '2026-06@drills.ops-portal',
      '2026-07@drills.ops-portal',
      '2026-08@drills.ops-portal',
      '2026-09@drills.ops-portal',
      '2026-10@drills.ops-portal',
      '2026-11@drills.ops-portal',
      '2026-12@drills.ops-portal',
      '2027-01@drills.ops-portal',
    ]);
  });

  it('writes DTSTART and DTEND in local time with TZID', () => {
    const starts = events(calendar).map(e => {
      const start = prop(e, 'DTSTART');
      expect(start.params).toEqual({ TZID: 'Europe/Berlin' });
      expect(prop(e, 'DTEND').params).toEqual({ TZID: 'Europe/Berlin' });
      return start.value;
    });
    expect(starts).toEqual([
      '20260203T100000',
      '20260303T100000',
      '20260407T100000',
      '20260505T100000',
      '20260609T100000', // rescheduled
      '20260707T100000',
      '20260804T100000',
      '20260901T100000',
      '20261006T100000',
      '20261103T100000',
      '20261201T100000',
      '20270105T100000',
    ]);
    expect(prop(events(calendar)[0], 'DTEND').value).toBe('20260203T120000');
  });

  it('defines the TZID in a VTIMEZONE that agrees with the computed UTC times', () => {
    const zones = calendar.children.filter(c => c.name === 'VTIMEZONE');
    expect(zones).toHaveLength(1);
    expect(prop(zones[0], 'TZID').value).toBe('Europe/Berlin');
    const observances = zones[0].children.map(o => ({
      kind: o.name,
      start: prop(o, 'DTSTART').value,
      from: prop(o, 'TZOFFSETFROM').value,
      to: prop(o, 'TZOFFSETTO').value,
    }));
    expect(observances).toEqual(
      expect.arrayContaining([
        {
          kind: 'DAYLIGHT',
          start: '20260329T020000',
          from: '+0100',
          to: '+0200',
        },
        {
          kind: 'STANDARD',
          start: '20261025T030000',
          from: '+0200',
          to: '+0100',
        },
        {
          kind: 'DAYLIGHT',
          start: '20270328T020000',
          from: '+0100',
          to: '+0200',
        },
      ]),
    );

    // Resolve each DTSTART through the VTIMEZONE and compare with startsAt.
    const toMillis = (local: string, offset = '+0000') => {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(local)!;
      const sign = offset[0] === '-' ? -1 : 1;
      const minutes =
        sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
      return (
        Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) -
        minutes * 60_000
      );
    };
    const onsets = observances
      .map(o => ({ at: toMillis(o.start, o.from), to: o.to }))
      .sort((a, b) => a.at - b.at);
    const entries = berlinEntries(overrides);
    events(calendar).forEach((event, i) => {
      const local = prop(event, 'DTSTART').value;
      const rule = onsets.filter(o => o.at <= toMillis(local, o.to)).pop()!;
      expect(new Date(toMillis(local, rule.to)).toISOString()).toBe(
        new Date(entries[i].startsAt).toISOString(),
      );
    });
  });

  it('cancels skipped months and confirms the others', () => {
    const statuses = Object.fromEntries(
      events(calendar).map(e => [
        prop(e, 'UID').value,
        prop(e, 'STATUS').value,
      ]),
    );
    expect(statuses['2026-03@drills.ops-portal']).toBe('CANCELLED');
    expect(
      Object.entries(statuses)
        .filter(([, s]) => s === 'CANCELLED')
        .map(([uid]) => uid),
    ).toEqual(['2026-03@drills.ops-portal']);
    expect(statuses['2026-04@drills.ops-portal']).toBe('CONFIRMED');
  });

  it('names the scenario and links its runbook', () => {
    const [february, march, april] = events(calendar);
    expect(prop(february, 'SUMMARY').value).toBe('Drill: Bad deploy rollback');
    expect(prop(february, 'URL').value).toBe(RUNBOOK('bad-deploy-rollback'));
    expect(unescapeText(prop(february, 'DESCRIPTION').value)).toBe(
      [
        'Monthly drill 2026-02: Bad deploy rollback (bad-deploy-rollback).',
        '2026-02-03 10:00 Europe/Berlin, 120 minutes.',
        `Runbook: ${RUNBOOK('bad-deploy-rollback')}`,
      ].join('\n'),
    );
    expect(unescapeText(prop(march, 'DESCRIPTION').value)).toContain(
      'Skipped: Company offsite, nobody on call',
    );
    expect(prop(april, 'SUMMARY').value).toBe('Drill: Key rotation');
    expect(unescapeText(prop(april, 'DESCRIPTION').value)).toContain(
      `Swapped from Regional failover (${REGION}).\nReason: Certificates expire in May; rotate now\nRunbook: ${RUNBOOK(
        KEYS,
      )}`,
    );
  });

  it('derives SEQUENCE and DTSTAMP from the latest override', () => {
    const byUid = Object.fromEntries(
      events(calendar).map(e => [prop(e, 'UID').value, e]),
    );
    const seq = (month: string) =>
      prop(byUid[`${month}@drills.ops-portal`], 'SEQUENCE').value;
    expect(seq('2026-02')).toBe('0');
    // Seconds from 2024-01-01T00:00:00Z to 2026-03-01T10:00:00Z.
    expect(seq('2026-03')).toBe('68292000');
    expect(Number(seq('2026-04'))).toBeGreaterThan(0);
    expect(prop(byUid['2026-02@drills.ops-portal'], 'DTSTAMP').value).toBe(
      '20260220T080000Z',
    );
    expect(prop(byUid['2026-03@drills.ops-portal'], 'DTSTAMP').value).toBe(
      '20260301T100000Z',
    );
    expect(
      prop(byUid['2026-03@drills.ops-portal'], 'LAST-MODIFIED').value,
    ).toBe('20260301T100000Z');
  });

  it('raises SEQUENCE when a month changes again, keeping its UID', () => {
    const later: CalendarOverride = {
      month: '2026-04',
      kind: 'swap',
      scenarioId: DB,
      reason: 'Restore test needed before the audit',
      by: LEAD,
      at: '2026-02-18T09:30:00Z',
    };
    const before = parse(
      calendarIcs(berlinEntries(overrides), { name: 'x', now: NOW }),
    );
    const after = parse(
      calendarIcs(berlinEntries([...overrides, later]), {
        name: 'x',
        now: NOW,
      }),
    );
    const april = (c: Component) =>
      events(c).find(
        e => prop(e, 'UID').value === '2026-04@drills.ops-portal',
      )!;
    expect(Number(prop(april(after), 'SEQUENCE').value)).toBeGreaterThan(
      Number(prop(april(before), 'SEQUENCE').value),
    );
    expect(prop(april(after), 'SUMMARY').value).toBe(
      'Drill: Database failure restore',
    );
    expect(events(after).map(e => prop(e, 'UID').value)).toEqual(
      events(before).map(e => prop(e, 'UID').value),
    );
  });

  it('is the same text for the same input', () => {
    const again = calendarIcs(berlinEntries(overrides), {
      name: 'Ops drills',
      url: 'https://portal.example.com/api/drills/calendar.ics',
      runbookUrl: RUNBOOK,
      now: NOW,
    });
    expect(again).toBe(ics);
  });
});

describe('calendarIcs edge cases', () => {
  it('escapes the calendar name and folds multi-byte text on character boundaries', () => {
    const name =
      'Übungen; Ops, Plattform 🚒 — monatliche Katastrophenschutz-Übungen für alle Teams';
    const ics = calendarIcs(
      berlinEntries([
        {
          month: '2026-03',
          kind: 'skip',
          reason:
            'Betriebsausflug — niemand in Rufbereitschaft; Übung entfällt 🚫 ✓ ✓ ✓ ✓ ✓',
          by: LEAD,
          at: '2026-02-01T10:00:00Z',
        },
      ]),
      { name, now: NOW },
    );
    for (const line of physicalLines(ics)) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
      // A fold inside a UTF-8 sequence would leave a lone surrogate.
      expect(line).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
    }
    const calendar = parse(ics);
    expect(unescapeText(prop(calendar, 'NAME').value)).toBe(name);
    expect(prop(calendar, 'NAME').value).toContain(
      'Übungen\\; Ops\\, Plattform',
    );
    const march = events(calendar)[1];
    expect(unescapeText(prop(march, 'DESCRIPTION').value)).toContain(
      'Skipped: Betriebsausflug — niemand in Rufbereitschaft; Übung entfällt 🚫 ✓ ✓ ✓ ✓ ✓',
    );
  });

  it('writes New York times, including the week DST ends late', () => {
    const entries = drillCalendar({
      from: new Date('2027-11-01T12:00:00Z'),
      months: 2,
      settings: calendarSettingsSchema.parse({
        timezone: 'America/New_York',
        rotationStart: '2026-01',
      }),
    });
    const calendar = parse(calendarIcs(entries, { name: 'NY', now: NOW }));
    expect(
      events(calendar).map(e => [
        prop(e, 'DTSTART').params.TZID,
        prop(e, 'DTSTART').value,
      ]),
    ).toEqual([
      ['America/New_York', '20271102T100000'],
      ['America/New_York', '20271207T100000'],
    ]);
    const zone = calendar.children.find(c => c.name === 'VTIMEZONE')!;
    expect(prop(zone, 'TZID').value).toBe('America/New_York');
    expect(
      zone.children.map(o => [
        o.name,
        prop(o, 'DTSTART').value,
        prop(o, 'TZOFFSETTO').value,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['STANDARD', '20271107T020000', '-0500'],
        ['DAYLIGHT', '20270314T020000', '-0400'],
      ]),
    );
  });

  it('writes UTC times with Z and no VTIMEZONE when the zone is UTC', () => {
    const entries = drillCalendar({
      from: new Date('2026-02-10T12:00:00Z'),
      months: 1,
      settings: calendarSettingsSchema.parse({ timezone: 'UTC' }),
    });
    const calendar = parse(calendarIcs(entries, { name: 'UTC', now: NOW }));
    expect(calendar.children.map(c => c.name)).toEqual(['VEVENT']);
    expect(prop(events(calendar)[0], 'DTSTART')).toEqual({
      name: 'DTSTART',
      params: {},
      value: '20260203T100000Z',
    });
  });

  it('defines a zone without DST by one observance', () => {
    const entries = drillCalendar({
      from: new Date('2026-02-10T12:00:00Z'),
      months: 1,
      settings: calendarSettingsSchema.parse({ timezone: 'Asia/Kolkata' }),
    });
    const calendar = parse(calendarIcs(entries, { name: 'IN', now: NOW }));
    const zone = calendar.children.find(c => c.name === 'VTIMEZONE')!;
    expect(prop(zone, 'TZID').value).toBe('Asia/Kolkata');
    expect(
      zone.children.map(o => [
        o.name,
        prop(o, 'TZOFFSETFROM').value,
        prop(o, 'TZOFFSETTO').value,
      ]),
    ).toEqual([['STANDARD', '+0530', '+0530']]);
    expect(prop(events(calendar)[0], 'DTSTART').value).toBe('20260203T100000');
  });

  it('is a valid empty calendar when there are no entries', () => {
    const calendar = parse(calendarIcs([], { name: 'Nothing yet', now: NOW }));
    expect(calendar.children).toEqual([]);
    expect(prop(calendar, 'NAME').value).toBe('Nothing yet');
  });

  it('leaves out a runbook link that is not a URL', () => {
    const calendar = parse(
      calendarIcs(berlinEntries().slice(0, 1), {
        name: 'x',
        now: NOW,
        runbookUrl: () => 'not a url\r\nX-INJECTED:1',
      }),
    );
    const [event] = events(calendar);
    expect(event.props.map(p => p.name)).not.toContain('URL');
    expect(event.props.map(p => p.name)).not.toContain('X-INJECTED');
    expect(prop(event, 'DESCRIPTION').value).not.toContain('Runbook');
  });

  it('keeps SEQUENCE at 0 without an override and positive with one', () => {
    expect(icsSequence({})).toBe(0);
    expect(icsSequence({ changedAt: 'garbage' })).toBe(0);
    expect(icsSequence({ changedAt: '2024-01-01T00:00:00Z' })).toBe(1);
    expect(icsSequence({ changedAt: '2026-03-01T10:00:01Z' })).toBe(68292001);
  });
});
