import {
  calendarPeriod,
  MINUTE_MS,
  MinuteBucket,
  parseDuration,
  PrefixSums,
  RunningSums,
  toSliceBuckets,
  windowRange,
  WindowSums,
} from './windows';

const HOUR = 60 * MINUTE_MS;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 0, 15, 12, 0); // a Monday, noon UTC

/** A small seeded PRNG (mulberry32) so the property tests are repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The obvious O(n) sum, as the reference. */
function naiveSum(
  buckets: MinuteBucket[],
  fromExclusive: number,
  toInclusive: number,
) {
  const latest = new Map<number, MinuteBucket>();
  for (const b of buckets) latest.set(b.minute, b);
  let good = 0;
  let total = 0;
  for (const b of latest.values()) {
    if (b.minute > fromExclusive && b.minute <= toInclusive) {
      good += b.good;
      total += b.total;
    }
  }
  return { good, total };
}

describe('parseDuration', () => {
  it.each([
    ['5m', 5 * MINUTE_MS],
    ['1h', HOUR],
    ['7d', 7 * DAY],
    ['28d', 28 * DAY],
    ['30d', 30 * DAY],
    ['1w', 7 * DAY],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '0m', '5', '1.5h', '-1h', '10s', 'h'])('rejects %p', text =>
    expect(() => parseDuration(text)).toThrow(/Invalid duration/),
  );
});

describe.each([
  ['PrefixSums', (bs: MinuteBucket[]) => new PrefixSums(bs) as WindowSums],
  [
    'RunningSums',
    (bs: MinuteBucket[]) => {
      const r = new RunningSums(DAY);
      for (const b of bs) r.append(b);
      return r as WindowSums;
    },
  ],
])('%s window edges', (_name, build) => {
  // One bucket per minute for 2 hours before T0, each with total = 1.
  const buckets: MinuteBucket[] = [];
  for (let m = T0 - 2 * HOUR; m <= T0; m += MINUTE_MS) {
    buckets.push({ minute: m, good: 1, total: 1 });
  }
  const sums = build(buckets);

  it('a 1h window at T0 holds exactly 60 minutes: T0 is in, T0 - 1h is out', () => {
    expect(sums.sum(T0 - HOUR, T0)).toEqual({ good: 60, total: 60 });
  });

  it('a 5m window holds the 5 minutes ending with T0', () => {
    const only = build([
      { minute: T0 - 5 * MINUTE_MS, good: 0, total: 100 }, // boundary: out
      { minute: T0 - 4 * MINUTE_MS, good: 1, total: 1 }, // first in
      { minute: T0, good: 2, total: 2 }, // last in
    ]);
    expect(only.sum(T0 - 5 * MINUTE_MS, T0)).toEqual({ good: 3, total: 3 });
  });

  it('minutes before the first and after the last bucket count as zero', () => {
    expect(sums.sum(T0 - 10 * HOUR, T0 - 3 * HOUR)).toEqual({
      good: 0,
      total: 0,
    });
    expect(sums.sum(T0, T0 + HOUR)).toEqual({ good: 0, total: 0 });
    expect(sums.sum(T0 - 3 * HOUR, T0 + HOUR)).toEqual({
      good: 121,
      total: 121,
    });
  });

  it('an empty or inverted range sums to zero', () => {
    expect(sums.sum(T0, T0)).toEqual({ good: 0, total: 0 });
    expect(sums.sum(T0, T0 - HOUR)).toEqual({ good: 0, total: 0 });
  });
});

describe('RunningSums', () => {
  it('re-appending the newest minute replaces it (idempotent push)', () => {
    const r = new RunningSums(HOUR);
    r.append({ minute: T0 - MINUTE_MS, good: 5, total: 5 });
    r.append({ minute: T0, good: 1, total: 10 });
    r.append({ minute: T0, good: 9, total: 10 });
    expect(r.sum(T0 - HOUR, T0)).toEqual({ good: 14, total: 15 });
    expect(r.lastMinute).toBe(T0);
  });

  it('refuses an older minute and a minute that is not whole', () => {
    const r = new RunningSums(HOUR);
    r.append({ minute: T0, good: 1, total: 1 });
    expect(() =>
      r.append({ minute: T0 - MINUTE_MS, good: 1, total: 1 }),
    ).toThrow(RangeError);
    expect(() => r.append({ minute: T0 + 30_000, good: 1, total: 1 })).toThrow(
      /whole minute/,
    );
  });

  it('keeps the longest window and refuses to sum beyond it', () => {
    const r = new RunningSums(HOUR);
    for (let m = T0 - 3 * HOUR; m <= T0; m += MINUTE_MS) {
      r.append({ minute: m, good: 1, total: 1 });
    }
    expect(r.sum(T0 - HOUR, T0)).toEqual({ good: 60, total: 60 });
    expect(() => r.sum(T0 - HOUR - MINUTE_MS, T0)).toThrow(RangeError);
  });

  it('a gap longer than the ring is zeros', () => {
    const r = new RunningSums(HOUR);
    r.append({ minute: T0 - 5 * HOUR, good: 7, total: 7 });
    r.append({ minute: T0, good: 1, total: 2 });
    expect(r.sum(T0 - HOUR, T0)).toEqual({ good: 1, total: 2 });
    expect(r.sum(T0 - HOUR, T0 - MINUTE_MS)).toEqual({ good: 0, total: 0 });
  });

  it('incremental append equals a full recomputation on random data (seeded)', () => {
    const random = seeded(20240115);
    const window = 6 * HOUR;
    const r = new RunningSums(window);
    const buckets: MinuteBucket[] = [];
    let minute = T0 - 2 * DAY;
    for (let i = 0; i < 3000; i++) {
      const roll = random();
      if (roll < 0.1 && buckets.length) {
        // replace the newest minute, as a re-push does
      } else if (roll < 0.15) {
        minute += Math.floor(random() * 600) * MINUTE_MS; // a gap
      } else {
        minute += MINUTE_MS;
      }
      const total = Math.floor(random() * 1000);
      const b = { minute, good: Math.floor(random() * (total + 1)), total };
      buckets.push(b);
      r.append(b);

      const at = minute;
      const lengths = [MINUTE_MS, 5 * MINUTE_MS, HOUR, window];
      const expected = lengths.map(len => naiveSum(buckets, at - len, at));
      expect(lengths.map(len => r.sum(at - len, at))).toEqual(expected);
      // a full rebuild is O(n): check it every 25 steps
      const full = new PrefixSums(i % 25 === 0 ? buckets : []);
      const rebuilt = lengths.map(len => full.sum(at - len, at));
      expect(i % 25 === 0 ? rebuilt : expected).toEqual(expected);
      const earlier = minute - Math.floor(random() * 60) * MINUTE_MS;
      expect(r.sum(earlier - HOUR, earlier)).toEqual(
        naiveSum(buckets, earlier - HOUR, earlier),
      );
    }
  });
});

describe('calendar windows (UTC)', () => {
  it('a week starts on Monday 00:00 UTC', () => {
    const sunday = Date.UTC(2024, 0, 21, 23, 59);
    expect(calendarPeriod(sunday, 'week')).toEqual({
      start: Date.UTC(2024, 0, 15),
      end: Date.UTC(2024, 0, 22),
    });
    const monday = Date.UTC(2024, 0, 22, 0, 0);
    expect(calendarPeriod(monday, 'week').start).toBe(monday);
  });

  it('a week across a month and year end', () => {
    const wed = Date.UTC(2025, 0, 1, 10, 0); // Wednesday 1 Jan 2025
    expect(calendarPeriod(wed, 'week')).toEqual({
      start: Date.UTC(2024, 11, 30),
      end: Date.UTC(2025, 0, 6),
    });
  });

  it.each([
    [Date.UTC(2024, 1, 29, 23, 59), Date.UTC(2024, 1, 1), 29], // leap February
    [Date.UTC(2023, 1, 28, 23, 59), Date.UTC(2023, 1, 1), 28],
    [Date.UTC(2024, 11, 31, 23, 59), Date.UTC(2024, 11, 1), 31], // December
    [Date.UTC(2024, 3, 1, 0, 0), Date.UTC(2024, 3, 1), 30], // first minute
  ])('month of %p starts %p and lasts %p days', (at, start, days) => {
    expect(calendarPeriod(at, 'month')).toEqual({
      start,
      end: start + days * DAY,
    });
    expect(windowRange({ kind: 'calendar', unit: 'month' }, at)).toEqual({
      fromExclusive: start - MINUTE_MS,
      toInclusive: at,
      periodMs: days * DAY,
    });
  });

  it('a month window includes its first minute and nothing of the month before', () => {
    const start = Date.UTC(2024, 2, 1);
    const sums = new PrefixSums([
      { minute: start - MINUTE_MS, good: 0, total: 50 }, // 29 Feb 23:59: out
      { minute: start, good: 10, total: 10 }, // 1 Mar 00:00: in
      { minute: start + DAY, good: 5, total: 10 },
    ]);
    const range = windowRange({ kind: 'calendar', unit: 'month' }, start + DAY);
    expect(sums.sum(range.fromExclusive, range.toInclusive)).toEqual({
      good: 15,
      total: 20,
    });
  });

  it('a rolling window spans month ends like any other minutes', () => {
    expect(windowRange({ kind: 'rolling', duration: '30d' }, T0)).toEqual({
      fromExclusive: T0 - 30 * DAY,
      toInclusive: T0,
      periodMs: 30 * DAY,
    });
  });
});

describe('toSliceBuckets', () => {
  it('one slice per minute: good when the ratio meets the threshold, gaps left out', () => {
    expect(
      toSliceBuckets(
        [
          { minute: T0, good: 99, total: 100 },
          { minute: T0 + MINUTE_MS, good: 90, total: 100 },
          { minute: T0 + 2 * MINUTE_MS, good: 0, total: 0 },
        ],
        1,
        0.95,
      ),
    ).toEqual([
      { minute: T0, good: 1, total: 1 },
      { minute: T0 + MINUTE_MS, good: 0, total: 1 },
    ]);
  });

  it('five-minute slices pool their minutes', () => {
    const minutes = [0, 1, 2, 3, 4, 5].map(i => ({
      minute: T0 + i * MINUTE_MS,
      good: i === 0 ? 60 : 100,
      total: 100,
    }));
    // first slice: 460/500 = 0.92 < 0.95 → bad; second: 100/100 → good
    expect(toSliceBuckets(minutes, 5, 0.95)).toEqual([
      { minute: T0, good: 0, total: 1 },
      { minute: T0 + 5 * MINUTE_MS, good: 1, total: 1 },
    ]);
  });
});
