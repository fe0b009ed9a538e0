import {
  addCalendarMonthsUtc,
  extendedLegalDueAt,
  legalDueAt,
  slaDueAt,
} from './deadlines';

const sla = { exportHours: 24, deleteHours: 72 };

describe('deadlines', () => {
  it('gives exports 24 hours and erasures 72 hours of internal SLA', () => {
    const at = new Date('2026-03-01T10:00:00Z');
    expect(slaDueAt('export', at, sla).toISOString()).toBe(
      '2026-03-02T10:00:00.000Z',
    );
    expect(slaDueAt('delete', at, sla).toISOString()).toBe(
      '2026-03-04T10:00:00.000Z',
    );
  });

  it('gives GDPR one calendar month, clamped to the end of a short month', () => {
    expect(
      legalDueAt('GDPR', new Date('2026-01-31T09:00:00Z')).toISOString(),
    ).toBe('2026-02-28T09:00:00.000Z');
    expect(
      legalDueAt('UK-GDPR', new Date('2028-01-30T09:00:00Z')).toISOString(),
    ).toBe('2028-02-29T09:00:00.000Z');
    expect(
      addCalendarMonthsUtc(new Date('2026-12-15T00:00:00Z'), 1).toISOString(),
    ).toBe('2027-01-15T00:00:00.000Z');
  });

  it('gives CCPA 45 days', () => {
    expect(
      legalDueAt('CCPA', new Date('2026-11-01T00:00:00Z')).toISOString(),
    ).toBe('2026-12-16T00:00:00.000Z');
  });

  it('extends GDPR by two further calendar months and CCPA by 45 further days', () => {
    expect(
      extendedLegalDueAt(
        'GDPR',
        new Date('2026-12-31T09:00:00Z'),
      ).toISOString(),
    ).toBe('2027-02-28T09:00:00.000Z');
    expect(
      extendedLegalDueAt(
        'CCPA',
        new Date('2026-12-16T00:00:00Z'),
      ).toISOString(),
    ).toBe('2027-01-30T00:00:00.000Z');
  });
});
