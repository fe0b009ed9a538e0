import {
  DEFAULT_BACKOFF,
  backoffDelayMs,
  classifyHttpStatus,
  decideAfterFailure,
  parseRetryAfter,
} from './retryPolicy';

const noJitter = () => 0;

describe('backoffDelayMs', () => {
  it('doubles from 1 s and stops at 1 h by default', () => {
    const delays = [1, 2, 3, 4, 12, 13, 50].map(attempt =>
      backoffDelayMs(attempt, DEFAULT_BACKOFF, noJitter),
    );
    expect(delays).toEqual([
      1000, 2000, 4000, 8000, 2_048_000, 3_600_000, 3_600_000,
    ]);
  });

  it('takes at most the jitter fraction off, never adding to the cap', () => {
    const policy = { baseMs: 1000, maxMs: 10_000, jitter: 0.2 };
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(3600);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(3200);
    expect(backoffDelayMs(30, policy, () => 0)).toBe(10_000);
    expect(backoffDelayMs(30, policy, () => 0.999999)).toBe(8000);
  });

  it('treats attempts below 1 as the first and a huge one as the cap', () => {
    expect(backoffDelayMs(0, DEFAULT_BACKOFF, noJitter)).toBe(1000);
    expect(backoffDelayMs(5000, DEFAULT_BACKOFF, noJitter)).toBe(3_600_000);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-26T10:00:00.000Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now, a past one as 0', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:05:00 GMT', now)).toBe(300_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    for (const value of [undefined, null, '', '-5', '1.5', '1e3', 'soon']) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});

describe('classifyHttpStatus', () => {
  it.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [408, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [599, 'retry'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [409, 'permanent'],
    [422, 'permanent'],
    [301, 'permanent'],
    [101, 'permanent'],
  ])('%i is %s', (status, outcome) => {
    expect(classifyHttpStatus(status)).toBe(outcome);
  });
});

describe('decideAfterFailure', () => {
  const now = new Date('2026-11-26T10:00:00.000Z');
  const base = {
    maxAttempts: 8,
    permanent: false,
    maxRetryAfterMs: 86_400_000,
    backoff: DEFAULT_BACKOFF,
    now,
    random: noJitter,
  };
  const after = (ms: number) => new Date(now.getTime() + ms);

  it('retries after the backoff of the attempt that failed', () => {
    expect(decideAfterFailure({ ...base, attempt: 1 })).toEqual({
      state: 'pending',
      nextAttemptAt: after(1000),
    });
    expect(decideAfterFailure({ ...base, attempt: 3 })).toEqual({
      state: 'pending',
      nextAttemptAt: after(4000),
    });
  });

  it('waits for Retry-After when it is later than the backoff, up to the cap', () => {
    const decide = (retryAfterMs: number) =>
      decideAfterFailure({ ...base, attempt: 2, retryAfterMs });
    expect(decide(120_000)).toEqual({
      state: 'pending',
      nextAttemptAt: after(120_000),
    });
    expect(decide(500)).toEqual({
      state: 'pending',
      nextAttemptAt: after(2000),
    });
    expect(decide(30 * 86_400_000)).toEqual({
      state: 'pending',
      nextAttemptAt: after(86_400_000),
    });
  });

  it('dead-letters a permanent failure at once and the last attempt', () => {
    expect(
      decideAfterFailure({ ...base, attempt: 1, permanent: true }),
    ).toEqual({ state: 'dead' });
    expect(decideAfterFailure({ ...base, attempt: 7 }).state).toBe('pending');
    expect(decideAfterFailure({ ...base, attempt: 8 })).toEqual({
      state: 'dead',
    });
  });
});
