import { parseBinder, parseException, parseUpload } from './forms';

describe('parseException', () => {
  const valid = {
    point: 'CC1.2',
    reason: 'No board: four people run the company',
    approver: 'user:default/ceo',
    expiresOn: '2027-01-31',
  };
  it('gives the body with the expiry at the end of that UTC day', () => {
    expect(parseException(valid, '2026-12-01')).toEqual({
      ok: true,
      body: {
        ...valid,
        expiresOn: undefined,
        expiresAt: '2027-01-31T23:59:59.999Z',
      },
    });
  });
  it('refuses a short reason, a past expiry and empty fields', () => {
    const parsed = parseException(
      { point: '', reason: ' short ', approver: ' ', expiresOn: '2026-11-30' },
      '2026-12-01',
    );
    expect(parsed).toEqual({
      ok: false,
      errors: {
        point: 'Required',
        reason: 'At least 20 characters (5 so far)',
        approver: 'Required',
        expiresOn: 'Already past',
      },
    });
  });
});

describe('parseBinder', () => {
  it('covers whole days and refuses a period that ends before it starts', () => {
    expect(
      parseBinder({
        periodStart: '2026-09-01',
        periodEnd: '2026-11-30',
        points: ['CC8.1'],
      }),
    ).toEqual({
      ok: true,
      body: {
        periodStart: '2026-09-01T00:00:00.000Z',
        periodEnd: '2026-11-30T23:59:59.999Z',
        points: ['CC8.1'],
      },
    });
    expect(
      parseBinder({
        periodStart: '2026-12-01',
        periodEnd: '2026-11-30',
        points: [],
      }),
    ).toEqual({
      ok: false,
      errors: {
        periodEnd: 'Ends before it starts',
        points: 'Choose at least one point',
      },
    });
  });
});

describe('parseUpload', () => {
  it('needs a file, a title and a point; leaves out an empty entity', () => {
    const file = new File(['policy'], 'policy.pdf', {
      type: 'application/pdf',
    });
    const base = {
      file,
      title: ' Security policy ',
      points: ['CC1.1'],
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      entityRef: ' ',
    };
    expect(parseUpload(base)).toEqual({
      ok: true,
      body: {
        file,
        metadata: {
          title: 'Security policy',
          points: ['CC1.1'],
          periodStart: '2026-01-01T00:00:00.000Z',
          periodEnd: '2026-12-31T23:59:59.999Z',
        },
      },
    });
    expect(parseUpload({ ...base, file: null, title: '', points: [] })).toEqual(
      {
        ok: false,
        errors: {
          file: 'Choose a file',
          title: 'Required',
          points: 'Choose at least one point',
        },
      },
    );
  });
});
