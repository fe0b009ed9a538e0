import { compileTimeOfDay } from './timeOfDay';

const at = (iso: string) => Date.parse(iso);

describe('compileTimeOfDay', () => {
  const night = compileTimeOfDay({
    from: '22:00',
    to: '06:00',
    timezone: 'Europe/Berlin',
  });

  it('wraps midnight: [22:00, 06:00) local time', () => {
    // January: Berlin is UTC+1.
    expect(night(at('2026-01-10T20:59:59Z'))).toBe(false); // 21:59:59
    expect(night(at('2026-01-10T21:00:00Z'))).toBe(true); // 22:00
    expect(night(at('2026-01-10T23:30:00Z'))).toBe(true); // 00:30
    expect(night(at('2026-01-11T04:59:59Z'))).toBe(true); // 05:59:59
    expect(night(at('2026-01-11T05:00:00Z'))).toBe(false); // 06:00
    expect(night(at('2026-01-11T12:00:00Z'))).toBe(false);
  });

  it('follows the spring DST change in Europe/Berlin', () => {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00Z.
    expect(night(at('2026-03-29T00:59:00Z'))).toBe(true); // 01:59 CET
    expect(night(at('2026-03-29T01:00:00Z'))).toBe(true); // 03:00 CEST
    expect(night(at('2026-03-29T03:59:00Z'))).toBe(true); // 05:59 CEST
    expect(night(at('2026-03-29T04:00:00Z'))).toBe(false); // 06:00 CEST (05:00 if offsets were fixed)
    expect(night(at('2026-03-28T21:00:00Z'))).toBe(true); // 22:00 CET, the evening before
    expect(night(at('2026-03-29T20:00:00Z'))).toBe(true); // 22:00 CEST
    expect(night(at('2026-03-29T19:59:00Z'))).toBe(false); // 21:59 CEST
  });

  it('follows the autumn DST change in Europe/Berlin', () => {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00Z.
    expect(night(at('2026-10-24T19:59:00Z'))).toBe(false); // 21:59 CEST
    expect(night(at('2026-10-24T20:00:00Z'))).toBe(true); // 22:00 CEST
    expect(night(at('2026-10-25T04:59:00Z'))).toBe(true); // 05:59 CET
    expect(night(at('2026-10-25T05:00:00Z'))).toBe(false); // 06:00 CET
  });

  it('handles a window that does not wrap', () => {
    const office = compileTimeOfDay({
      from: '09:00',
      to: '17:30',
      timezone: 'UTC',
    });
    expect(office(at('2026-01-10T08:59:00Z'))).toBe(false);
    expect(office(at('2026-01-10T09:00:00Z'))).toBe(true);
    expect(office(at('2026-01-10T17:29:59Z'))).toBe(true);
    expect(office(at('2026-01-10T17:30:00Z'))).toBe(false);
  });
});
