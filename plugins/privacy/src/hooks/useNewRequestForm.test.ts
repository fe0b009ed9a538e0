import { emptyNewRequest, parseNewRequest } from './useNewRequestForm';

describe('parseNewRequest', () => {
  it('names every missing field', () => {
    expect(parseNewRequest(emptyNewRequest)).toEqual({
      ok: false,
      errors: {
        subjectId: 'Required',
        region: 'Choose one of EU, US, UK, APAC',
        jurisdiction: 'Choose one of GDPR, UK-GDPR, CCPA',
      },
    });
  });

  it('rejects a malformed email', () => {
    const result = parseNewRequest({
      ...emptyNewRequest,
      subjectId: 'c-1',
      email: 'not-an-email',
      region: 'EU',
      jurisdiction: 'GDPR',
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.email).toBe('Invalid email');
  });

  it('gives the trimmed body, without an empty email', () => {
    expect(
      parseNewRequest({
        type: 'delete',
        subjectId: ' c-1 ',
        email: ' a@example.com ',
        region: 'UK',
        jurisdiction: 'UK-GDPR',
        priority: 'LOW',
      }),
    ).toEqual({
      ok: true,
      intake: {
        subject: { id: 'c-1', email: 'a@example.com' },
        region: 'UK',
        jurisdiction: 'UK-GDPR',
        priority: 'LOW',
      },
    });
    const noEmail = parseNewRequest({
      ...emptyNewRequest,
      subjectId: 'c-1',
      region: 'EU',
      jurisdiction: 'GDPR',
    });
    expect(noEmail.ok && noEmail.intake.subject).toEqual({ id: 'c-1' });
  });
});
