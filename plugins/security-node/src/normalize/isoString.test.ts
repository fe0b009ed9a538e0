import { isoString } from './isoString';

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX = 8.64e15; // the largest valid time value

describe('isoString', () => {
  it('equals toISOString at the edges of the time range, days and years', () => {
    const values = [
      0,
      -1,
      1,
      86_399_999,
      86_400_000,
      -86_400_000,
      -86_400_001,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2026, 10, 30, 0, 0, 0, 20),
      Date.UTC(0, 0, 1) - 1, // year -1
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1), // extended year
      MAX,
      -MAX,
    ];
    for (const ms of values) {
      expect(isoString(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('equals toISOString for random times, in and out of order', () => {
    const random = prng(13);
    let ms = Date.UTC(2026, 10, 30);
    for (let i = 0; i < 20_000; i++) {
      ms += Math.floor(random() * 5_000_000); // in order, across days
      expect(isoString(ms)).toBe(new Date(ms).toISOString());
      const anywhere = Math.floor((random() * 2 - 1) * MAX);
      expect(isoString(anywhere)).toBe(new Date(anywhere).toISOString());
    }
  });
});
