import { InputError } from '@backstage/errors';
import { MAX_SAMPLES_PER_BATCH } from '@internal/plugin-slo-common';
import { describePath, parseSampleBatch, parseSampleRange } from './validate';

const NOW = new Date('2026-12-02T10:00:30Z');
const minute = (i: number) =>
  new Date(Date.parse('2026-12-02T09:00:00Z') + i * 60_000).toISOString();
const sample = (i: number, good = 9, total = 10) => ({
  timestamp: minute(i),
  good,
  total,
});

/** The message parseSampleBatch throws for `samples`, or 'valid'. */
function problem(body: unknown): string {
  try {
    parseSampleBatch(body, NOW);
    return 'valid';
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
}

describe('parseSampleBatch', () => {
  it('turns a valid batch into minutes', () => {
    expect(
      parseSampleBatch(
        {
          samples: [
            sample(0, 5, 5),
            { timestamp: '2026-12-02T09:01:00.000+00:00', good: 0, total: 0 },
          ],
        },
        NOW,
      ),
    ).toEqual([
      { minute: new Date('2026-12-02T09:00:00Z'), good: 5, total: 5 },
      { minute: new Date('2026-12-02T09:01:00Z'), good: 0, total: 0 },
    ]);
  });

  it('accepts an empty batch', () => {
    expect(parseSampleBatch({ samples: [] }, NOW)).toEqual([]);
  });

  it('names good above total by index and field', () => {
    expect(
      problem({ samples: [sample(0), sample(1), sample(2), sample(3, 11)] }),
    ).toBe('Invalid input: samples[3].good: must not exceed total');
  });

  it('refuses a timestamp that is not a whole minute', () => {
    expect(
      problem({
        samples: [{ ...sample(0), timestamp: '2026-12-02T09:00:30Z' }],
      }),
    ).toBe(
      'Invalid input: samples[0].timestamp: must be a whole minute (seconds and milliseconds zero)',
    );
    expect(
      problem({
        samples: [{ ...sample(0), timestamp: '2026-12-02T09:00:00.001Z' }],
      }),
    ).toMatch(
      /^Invalid input: samples\[0\]\.timestamp: must be a whole minute/,
    );
  });

  it('refuses a timestamp that is not an ISO date-time', () => {
    expect(
      problem({ samples: [{ ...sample(0), timestamp: 'yesterday' }] }),
    ).toBe('Invalid input: samples[0].timestamp: must be an ISO date-time');
    expect(
      problem({ samples: [{ ...sample(0), timestamp: 1764666000000 }] }),
    ).toBe(
      'Invalid input: samples[0].timestamp: must be an ISO date-time string',
    );
  });

  it('refuses negative, fractional, missing and non-numeric counts', () => {
    expect(problem({ samples: [sample(0, -1, 10)] })).toBe(
      'Invalid input: samples[0].good: must not be negative',
    );
    expect(problem({ samples: [sample(0), sample(1, 1, 2.5)] })).toBe(
      'Invalid input: samples[1].total: must be an integer',
    );
    expect(problem({ samples: [{ timestamp: minute(0), good: 1 }] })).toBe(
      'Invalid input: samples[0].total: is required',
    );
    expect(
      problem({ samples: [{ timestamp: minute(0), good: '1', total: 2 }] }),
    ).toBe('Invalid input: samples[0].good: must be a number');
  });

  it('refuses a minute out of order, naming the sample', () => {
    expect(problem({ samples: [sample(0), sample(2), sample(1)] })).toBe(
      'Invalid input: samples[2].timestamp: is before samples[1] (timestamps must increase)',
    );
  });

  it('refuses the same minute twice in one batch', () => {
    expect(problem({ samples: [sample(0), sample(1), sample(1)] })).toBe(
      'Invalid input: samples[2].timestamp: repeats the minute of samples[1]',
    );
  });

  it('refuses a minute more than one minute in the future', () => {
    // NOW is 10:00:30: 10:01 is within a minute of it, 10:02 is not.
    expect(
      parseSampleBatch(
        { samples: [{ timestamp: '2026-12-02T10:01:00Z', good: 1, total: 1 }] },
        NOW,
      ),
    ).toHaveLength(1);
    expect(
      problem({
        samples: [
          sample(0),
          { timestamp: '2026-12-02T10:02:00Z', good: 1, total: 1 },
        ],
      }),
    ).toBe(
      'Invalid input: samples[1].timestamp: is in the future (after 2026-12-02T10:01:30.000Z)',
    );
  });

  it(`refuses more than ${MAX_SAMPLES_PER_BATCH} samples`, () => {
    const week = Array.from({ length: MAX_SAMPLES_PER_BATCH }, (_, i) =>
      sample(i - MAX_SAMPLES_PER_BATCH),
    );
    expect(parseSampleBatch({ samples: week }, NOW)).toHaveLength(
      MAX_SAMPLES_PER_BATCH,
    );
    expect(
      problem({ samples: [sample(-MAX_SAMPLES_PER_BATCH - 1), ...week] }),
    ).toBe(
      `Invalid input: samples: at most ${MAX_SAMPLES_PER_BATCH} samples per push`,
    );
  });

  it('refuses a body of another shape', () => {
    expect(problem({})).toBe('Invalid input: samples: is required');
    expect(problem({ samples: {} })).toBe(
      'Invalid input: samples: must be an array',
    );
    expect(problem({ samples: [], extra: 1 })).toBe(
      "Invalid input: Unrecognized key(s) in object: 'extra'",
    );
    expect(problem({ samples: [{ ...sample(0), bad: 0 }] })).toBe(
      "Invalid input: samples[0]: Unrecognized key(s) in object: 'bad'",
    );
    expect(problem(undefined)).toMatch(/^Invalid input: /);
  });

  it('names every bad sample at once', () => {
    expect(problem({ samples: [sample(0, -1), sample(1, 11, 10)] })).toBe(
      'Invalid input: samples[0].good: must not be negative; samples[1].good: must not exceed total',
    );
  });
});

describe('parseSampleRange', () => {
  it('defaults to the day before now', () => {
    expect(parseSampleRange({}, NOW)).toEqual({
      from: new Date('2026-12-01T10:00:30Z'),
      to: NOW,
    });
  });

  it('takes from and to, both inclusive', () => {
    expect(
      parseSampleRange(
        { from: '2026-11-01T00:00:00Z', to: '2026-12-02T00:00:00Z' },
        NOW,
      ),
    ).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-02T00:00:00Z'),
    });
  });

  it('refuses more than 31 days, from after to, and bad dates', () => {
    expect(() =>
      parseSampleRange(
        { from: '2026-11-01T00:00:00Z', to: '2026-12-02T00:01:00Z' },
        NOW,
      ),
    ).toThrow(/longer than 31 days/);
    expect(() =>
      parseSampleRange(
        { from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' },
        NOW,
      ),
    ).toThrow('Invalid input: from: must not be after to');
    expect(() => parseSampleRange({ from: 'soon' }, NOW)).toThrow(
      'Invalid input: from: must be an ISO date-time',
    );
    expect(() => parseSampleRange({ step: '1m' }, NOW)).toThrow(InputError);
  });
});

describe('describePath', () => {
  it('writes indexes in brackets', () => {
    expect(describePath(['samples', 3, 'good'])).toBe('samples[3].good');
    expect(describePath(['samples'])).toBe('samples');
    expect(describePath([])).toBe('');
  });
});
