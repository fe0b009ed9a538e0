import { TestDatabases } from '@backstage/backend-test-utils';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import type { Registry } from 'prom-client';
import { evidenceTestServices } from '../__testUtils__/evidenceTestServices';
import { EvidenceMetricsStore } from './EvidenceMetricsStore';
import { createEvidenceMetrics } from './evidenceMetrics';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = new Date('2026-12-15T12:00:00Z');
const DAY = 86_400_000;
const PERSON = 'user:default/jane.doe';

const history: EvidenceCollector = {
  id: 'history',
  title: 'History',
  description: 'test collector',
  points: ['CC8.1'],
  cadence: 'weekly',
  async collect({ now }) {
    return [
      {
        type: 'change-management.git',
        title: 'Merges',
        period: { start: new Date(now.getTime() - 7 * DAY), end: now },
        fileName: 'merges.json',
        mediaType: 'application/json',
        content: '{"merges":2}',
      },
    ];
  },
};

const broken: EvidenceCollector = {
  id: 'broken',
  title: 'Broken',
  description: 'always fails',
  points: ['CC7.1'],
  cadence: 'weekly',
  async collect() {
    throw new Error('the source is down');
  },
};

/** Each sample of each metric, keyed by its labels in order. */
async function scrape(registry: Registry) {
  const values = new Map<string, Map<string, number>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    values.set(
      metric.name,
      new Map(
        metric.values.map(v => [
          Object.values(v.labels).join(','),
          Number(v.value),
        ]),
      ),
    );
  }
  return values;
}

describe.each(databases.eachSupportedId())(
  'evidence metrics on %p',
  databaseId => {
    it('counts coverage, items, collector runs and binders from the rows', async () => {
      const knex = await databases.init(databaseId);
      const s = await evidenceTestServices(knex, {
        collectors: [history, broken],
        clock: () => NOW,
      });
      const registry = createEvidenceMetrics({
        source: new EvidenceMetricsStore(knex),
        coverage: s.coverage,
      });
      const empty = await scrape(registry);
      expect(
        [...empty.get('evidence_coverage_points')!]
          .filter(([labels]) => labels.endsWith(',missing'))
          .reduce((n, [, value]) => n + value, 0),
      ).toBe(33);
      expect(empty.get('evidence_items')?.size).toBe(0);

      const manual = (
        points: string[],
        cadence: 'yearly' | 'weekly',
        periodEnd: string,
      ) =>
        s.evidence.file({
          type: 'manual',
          title: 'Policy',
          points,
          cadence,
          collector: null,
          runId: null,
          entityRef: null,
          periodStart: new Date('2020-01-01T00:00:00Z'),
          periodEnd: new Date(periodEnd),
          filedBy: PERSON,
          fileName: 'policy.txt',
          mediaType: 'text/plain',
          content: `${points.join()} ${periodEnd}`,
        });
      await manual(['CC1.1', 'CC5.3'], 'yearly', '2026-12-01T00:00:00Z');
      await manual(['CC1.1'], 'yearly', '2020-12-31T00:00:00Z');
      await manual(['CC6.1'], 'weekly', '2026-10-01T00:00:00Z');
      await s.exceptions.create({
        point: 'CC2.1',
        reason: 'No communication plan until the reorganisation ends',
        approver: 'user:default/ciso',
        expiresAt: new Date(NOW.getTime() + 30 * DAY),
        createdBy: PERSON,
      });
      const request = { trigger: 'api' as const, requestedBy: PERSON };
      expect((await s.collectors.run('history', request)).state).toBe(
        'succeeded',
      );
      expect((await s.collectors.run('broken', request)).state).toBe('failed');
      await s.binders.request({
        periodStart: new Date('2026-01-01T00:00:00Z'),
        periodEnd: new Date('2026-12-31T00:00:00Z'),
        points: ['CC1.1'],
        createdBy: PERSON,
      });

      const values = await scrape(registry);
      const coverage = values.get('evidence_coverage_points')!;
      // The same figures as GET /coverage, per criterion and status.
      const report = await s.coverage.report();
      for (const criterion of report.criteria) {
        for (const [status, count] of Object.entries(criterion.counts)) {
          expect(coverage.get(`${criterion.id},${status}`)).toBe(count);
        }
      }
      expect(coverage.get('CC1,fresh')).toBe(1);
      expect(coverage.get('CC5,fresh')).toBe(1);
      expect(coverage.get('CC8,fresh')).toBe(1);
      expect(coverage.get('CC6,stale')).toBe(1);
      expect(coverage.get('CC2,exception')).toBe(1);
      const byStatus = (status: string) =>
        [...coverage]
          .filter(([labels]) => labels.endsWith(`,${status}`))
          .reduce((n, [, value]) => n + value, 0);
      expect(['fresh', 'stale', 'exception', 'missing'].map(byStatus)).toEqual([
        3, 1, 1, 28,
      ]);

      expect(values.get('evidence_items')).toEqual(
        new Map([
          ['change-management.git,CC8.1', 1],
          ['manual,CC1.1', 2],
          ['manual,CC5.3', 1],
          ['manual,CC6.1', 1],
        ]),
      );
      expect(values.get('evidence_collector_runs')).toEqual(
        new Map([
          ['broken,failed', 1],
          ['history,succeeded', 1],
        ]),
      );
      expect(values.get('evidence_binders')).toEqual(new Map([['queued', 1]]));
      const text = await registry.metrics();
      expect(text).not.toContain('jane.doe');
      expect(text).not.toContain('ciso');
    });
  },
);
