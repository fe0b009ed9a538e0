import {
  budgetLevel,
  burnOf,
  formatBurn,
  formatMinutes,
  formatPercent,
  objectivePath,
  rollbackUrl,
  windowPairs,
} from './format';
import { rangeQuery } from './ranges';
import { TIERS, makeStatus } from '../testing/fixtures';

describe('format', () => {
  it('formats ratios, burn rates and durations', () => {
    expect(formatPercent(0.999)).toBe('99.90%');
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(-0.25, 1)).toBe('-25.0%');
    expect(formatBurn(14.4)).toBe('14.4×');
    expect(formatBurn(6)).toBe('6×');
    expect(formatBurn(null)).toBe('–');
    expect(formatMinutes(null)).toBe('not burning');
    expect(formatMinutes(45)).toBe('45m');
    expect(formatMinutes(90)).toBe('1h 30m');
    expect(formatMinutes(3000)).toBe('2d 2h');
  });

  it('grades the budget left', () => {
    expect(budgetLevel(0.8)).toBe('ok');
    expect(budgetLevel(0.3)).toBe('warning');
    expect(budgetLevel(0.1)).toBe('error');
    expect(budgetLevel(-0.5)).toBe('error');
  });

  it('reads window pairs and burn rates, no traffic as null', () => {
    expect(windowPairs(TIERS).map(pair => pair.label)).toEqual([
      '1h/5m',
      '6h/30m',
    ]);
    const status = makeStatus({
      burnRates: { '1h': { burnRate: 0, noTraffic: true } },
    });
    expect(burnOf(status, '1h')).toBeNull();
    expect(burnOf(status, '5m')).toBeNull();
    expect(burnOf(makeStatus(), '1h')).toBe(0.4);
  });

  it('builds the objective and rollback links', () => {
    expect(objectivePath('/slo', 'a:b=c,d')).toBe(
      '/slo/objectives/a%3Ab%3Dc%2Cd',
    );
    const url = rollbackUrl('component:default/checkout');
    expect(url).toBe(
      '/create/templates/default/rollback-bad-deploy?formData=%7B%22entity%22%3A%22component%3Adefault%2Fcheckout%22%7D',
    );
    expect(
      JSON.parse(new URL(url, 'http://x').searchParams.get('formData')!),
    ).toEqual({ entity: 'component:default/checkout' });
  });

  it('maps a range to from, to and step ending at the current minute', () => {
    const now = new Date('2025-03-01T12:34:56.000Z');
    expect(rangeQuery('6h', now)).toEqual({
      from: '2025-03-01T06:34:00.000Z',
      to: '2025-03-01T12:34:00.000Z',
      step: 5,
    });
    expect(rangeQuery('30d', now).step).toBe(240);
  });
});
