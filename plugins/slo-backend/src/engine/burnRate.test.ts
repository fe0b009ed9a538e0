import {
  budgetConsumed,
  budgetRemaining,
  burnRate,
  burnRateOfGood,
  errorBudget,
  isGoodSlice,
  thresholdForShare,
  timeToExhaustion,
  timesliceBudgetRemaining,
} from './burnRate';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PERIOD_30D = 30 * DAY;

describe('burn rate math (SRE Workbook, Alerting on SLOs)', () => {
  it('error budget is 1 - target', () => {
    expect(errorBudget(0.999)).toBeCloseTo(0.001, 12);
    expect(() => errorBudget(1)).toThrow(RangeError);
    expect(() => errorBudget(0)).toThrow(RangeError);
  });

  it('burn rate is the error ratio over the budget', () => {
    expect(burnRate(1, 1000, 0.999).burnRate).toBeCloseTo(1, 9);
    expect(burnRate(144, 10_000, 0.999).burnRate).toBeCloseTo(14.4, 9);
    expect(burnRateOfGood(9856, 10_000, 0.999).burnRate).toBeCloseTo(14.4, 9);
  });

  it('a 100% outage at 99.9% is a 1000x burn', () => {
    expect(burnRate(500, 500, 0.999)).toEqual({
      burnRate: expect.closeTo(1000, 6),
      noTraffic: false,
    });
  });

  it('no traffic burns nothing and says so (no NaN, no division by zero)', () => {
    expect(burnRate(0, 0, 0.999)).toEqual({ burnRate: 0, noTraffic: true });
    expect(burnRateOfGood(0, 0, 0.99)).toEqual({
      burnRate: 0,
      noTraffic: true,
    });
    expect(budgetRemaining(0, 0, 0.999)).toBe(1);
  });

  it.each([
    [0.02, HOUR, 14.4],
    [0.05, 6 * HOUR, 6],
    [0.1, DAY, 3],
    [0.1, 3 * DAY, 1],
  ])(
    'threshold for %p of a 30-day budget in %p ms is %p',
    (share, window, expected) => {
      expect(thresholdForShare(share, PERIOD_30D, window)).toBeCloseTo(
        expected,
        9,
      );
    },
  );

  it.each([
    [14.4, HOUR, 0.02],
    [6, 6 * HOUR, 0.05],
    [3, DAY, 0.1],
    [1, 3 * DAY, 0.1],
  ])('burning %px for %p ms consumes %p of a 30-day budget', (rate, w, s) => {
    expect(budgetConsumed(rate, w, PERIOD_30D)).toBeCloseTo(s, 12);
  });

  it('a full outage at 99.9% exhausts a 30-day budget in 43.2 minutes', () => {
    const rate = burnRate(100, 100, 0.999).burnRate;
    expect(timeToExhaustion(1, rate, PERIOD_30D)! / MINUTE).toBeCloseTo(
      43.2,
      6,
    );
  });

  it('time to exhaustion scales with what remains; null when nothing burns', () => {
    expect(timeToExhaustion(0.5, 1, PERIOD_30D)).toBe(15 * DAY);
    expect(timeToExhaustion(1, 0, PERIOD_30D)).toBeNull();
    expect(timeToExhaustion(0, 5, PERIOD_30D)).toBe(0);
    expect(timeToExhaustion(-0.2, 5, PERIOD_30D)).toBe(0);
  });

  it('budget remaining by occurrences: 1 - bad / (total x budget)', () => {
    expect(budgetRemaining(0, 1_000_000, 0.999)).toBe(1);
    expect(budgetRemaining(250, 1_000_000, 0.999)).toBeCloseTo(0.75, 9);
    expect(budgetRemaining(1000, 1_000_000, 0.999)).toBeCloseTo(0, 9);
    expect(budgetRemaining(2000, 1_000_000, 0.999)).toBeCloseTo(-1, 9);
  });

  it('timeslices: a slice is good when its ratio meets the slice threshold', () => {
    expect(isGoodSlice(95, 100, 0.95)).toBe(true);
    expect(isGoodSlice(94, 100, 0.95)).toBe(false);
    expect(isGoodSlice(0, 0, 0.95)).toBeNull();
  });

  it('timeslices: budget over slices (43 bad minutes of a 30-day 99.9% budget)', () => {
    const slices = 30 * 24 * 60; // 43,200 minutes, budget 43.2 bad minutes
    expect(timesliceBudgetRemaining(slices - 0, slices, 0.999)).toBe(1);
    expect(timesliceBudgetRemaining(slices - 43.2, slices, 0.999)).toBeCloseTo(
      0,
      9,
    );
    expect(timesliceBudgetRemaining(slices - 21.6, slices, 0.999)).toBeCloseTo(
      0.5,
      9,
    );
  });
});
