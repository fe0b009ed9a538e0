import {
  COMMON_CRITERIA,
  EvidenceException,
} from '@internal/plugin-evidence-common';
import { computeCoverage } from './computeCoverage';

const now = new Date('2026-12-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

const exception = (point: string): EvidenceException => ({
  id: `e-${point}`,
  point,
  reason: 'No physical offices: the platform runs in a cloud region',
  approver: 'user:default/ciso',
  createdBy: 'user:default/compliance',
  createdAt: daysAgo(10).toISOString(),
  expiresAt: '2027-06-01T00:00:00.000Z',
  revokedAt: null,
});

describe('computeCoverage', () => {
  const report = computeCoverage({
    criteria: COMMON_CRITERIA,
    newest: [
      // Weekly evidence six days old: fresh.
      { point: 'CC8.1', cadence: 'weekly', lastPeriodEnd: daysAgo(6) },
      // Weekly evidence eight days old: stale...
      { point: 'CC7.1', cadence: 'weekly', lastPeriodEnd: daysAgo(8) },
      // ...unless some other evidence of a longer cadence is still fresh.
      { point: 'CC6.8', cadence: 'weekly', lastPeriodEnd: daysAgo(8) },
      { point: 'CC6.8', cadence: 'yearly', lastPeriodEnd: daysAgo(100) },
      // Stale evidence with an exception in force: the exception shows.
      { point: 'CC9.2', cadence: 'monthly', lastPeriodEnd: daysAgo(40) },
    ],
    stats: [
      { point: 'CC8.1', itemCount: 3, lastCollectedAt: daysAgo(5) },
      { point: 'CC7.1', itemCount: 1, lastCollectedAt: daysAgo(8) },
      { point: 'CC6.8', itemCount: 2, lastCollectedAt: daysAgo(8) },
      { point: 'CC9.2', itemCount: 1, lastCollectedAt: daysAgo(40) },
    ],
    exceptions: [exception('CC6.4'), exception('CC9.2')],
    collectorsByPoint: new Map([['CC8.1', ['change-management']]]),
    now,
  });
  const byId = new Map(
    report.criteria.flatMap(c => c.points).map(p => [p.id, p]),
  );

  it('covers all 33 common points, each exactly once', () => {
    expect(byId.size).toBe(33);
    const { fresh, stale, missing, exception: excepted } = report.counts;
    expect(fresh + stale + missing + excepted).toBe(33);
  });

  it('judges freshness by the cadence of each kind of evidence', () => {
    expect(byId.get('CC8.1')).toMatchObject({
      status: 'fresh',
      itemCount: 3,
      freshUntil: daysAgo(-1).toISOString(),
      collectors: ['change-management'],
    });
    expect(byId.get('CC7.1')?.status).toBe('stale');
    expect(byId.get('CC6.8')?.status).toBe('fresh');
  });

  it('counts exceptions apart, never as coverage, and missing as missing', () => {
    expect(byId.get('CC6.4')).toMatchObject({
      status: 'exception',
      itemCount: 0,
    });
    expect(byId.get('CC9.2')?.status).toBe('exception');
    expect(byId.get('CC1.1')).toMatchObject({
      status: 'missing',
      lastCollectedAt: null,
      freshUntil: null,
    });
    expect(report.counts).toEqual({
      fresh: 2,
      stale: 1,
      exception: 2,
      missing: 28,
    });
    const cc6 = report.criteria.find(c => c.id === 'CC6')!;
    expect(cc6.counts).toEqual({
      fresh: 1,
      stale: 0,
      exception: 1,
      missing: 6,
    });
  });
});
