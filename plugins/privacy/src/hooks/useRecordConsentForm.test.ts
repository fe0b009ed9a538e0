import { emptyConsent, parseRecordConsent } from './useRecordConsentForm';

describe('parseRecordConsent', () => {
  it('names every missing field', () => {
    expect(parseRecordConsent({ ...emptyConsent(), source: ' ' })).toEqual({
      ok: false,
      errors: {
        subjectId: 'Required',
        purpose:
          'Choose one of marketing, analytics, personalization, third_party_sharing',
        source: 'Required',
      },
    });
  });

  it('starts with the given subject, granted, from the portal', () => {
    expect(emptyConsent('customer-7')).toEqual({
      subjectId: 'customer-7',
      purpose: '',
      granted: true,
      source: 'privacy-portal',
    });
  });

  it('rejects a source that is too long or has control characters', () => {
    const values = { ...emptyConsent('c-1'), purpose: 'marketing' as const };
    expect(parseRecordConsent({ ...values, source: 'x'.repeat(101) })).toEqual({
      ok: false,
      errors: { source: 'At most 100 characters' },
    });
    expect(
      parseRecordConsent({ ...values, source: 'web\u0000banner' }),
    ).toEqual({
      ok: false,
      errors: { source: 'must not contain control characters' },
    });
  });

  it('gives the trimmed body', () => {
    expect(
      parseRecordConsent({
        subjectId: ' c-1 ',
        purpose: 'analytics',
        granted: false,
        source: ' web-banner ',
      }),
    ).toEqual({
      ok: true,
      change: {
        subject: { id: 'c-1' },
        purpose: 'analytics',
        granted: false,
        source: 'web-banner',
      },
    });
  });
});
