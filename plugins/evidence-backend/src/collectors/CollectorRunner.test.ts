import { TestDatabases } from '@backstage/backend-test-utils';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import { evidenceTestServices } from '../__testUtils__/evidenceTestServices';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const period = {
  start: new Date('2026-11-01T00:00:00Z'),
  end: new Date('2026-12-01T00:00:00Z'),
};

const collector = (
  id: string,
  collect: EvidenceCollector['collect'],
  extra: Partial<EvidenceCollector> = {},
): EvidenceCollector => ({
  id,
  title: id,
  description: `the ${id} collector`,
  points: ['CC8.1'],
  cadence: 'weekly',
  collect,
  ...extra,
});

const good = collector('good', async ({ log }) => {
  log('looking at things');
  return [
    {
      type: 'change-management.git',
      title: 'History',
      period,
      fileName: 'history.json',
      mediaType: 'application/json',
      content: '{"merges":3}',
      summary: { merges: 3 },
    },
  ];
});
const throws = collector('throws', async ({ log }) => {
  log('about to fail');
  throw new Error('the repository is gone');
});
const hangs = collector(
  'hangs',
  // Ignores its signal on purpose: the runner must end the run anyway.
  () => new Promise(() => {}),
  { timeoutMs: 300 },
);
const garbage = collector(
  'garbage',
  async () =>
    [
      {
        type: 'x',
        title: 'no period',
        fileName: '../../etc/passwd',
        content: 42,
      },
    ] as never,
);
const unknownPoint = collector('unknown-point', async () => [
  {
    type: 'x',
    title: 'a point that does not exist',
    points: ['CC42.1'],
    period,
    fileName: 'x.json',
    mediaType: 'application/json',
    content: '{}',
  },
]);

describe.each(databases.eachSupportedId())(
  'collector runs on %p',
  databaseId => {
    it('records a failed run with its log for a collector that throws, hangs or returns garbage, and the others go on', async () => {
      const knex = await databases.init(databaseId);
      const services = await evidenceTestServices(knex, {
        collectors: [throws, hangs, garbage, unknownPoint, good],
      });
      const runs = await services.collectors.runAll({
        trigger: 'api',
        requestedBy: 'user:default/compliance',
      });
      const byCollector = new Map(runs.map(r => [r.collector, r]));
      expect(byCollector.get('throws')).toMatchObject({
        state: 'failed',
        error: 'the repository is gone',
        itemCount: 0,
      });
      expect(byCollector.get('throws')?.log).toContain('about to fail');
      expect(byCollector.get('hangs')).toMatchObject({
        state: 'failed',
        error: 'timed out after 300 ms',
      });
      expect(byCollector.get('garbage')?.state).toBe('failed');
      expect(byCollector.get('garbage')?.error).toMatch(
        /not a list of evidence/,
      );
      expect(byCollector.get('garbage')?.error).toMatch(/fileName/);
      expect(byCollector.get('unknown-point')?.error).toMatch(
        /unknown point CC42.1/,
      );
      expect(byCollector.get('good')).toMatchObject({
        state: 'succeeded',
        itemCount: 1,
      });
      expect(byCollector.get('good')?.log).toContain('looking at things');

      const filed = await services.items.list({}, { limit: 10, offset: 0 });
      expect(filed.items).toHaveLength(1);
      expect(filed.items[0]).toMatchObject({
        type: 'change-management.git',
        collector: 'good',
        runId: byCollector.get('good')?.id,
        points: ['CC8.1'],
        filedBy: 'collector:good',
        summary: { merges: 3 },
      });
      const coverage = await services.coverage.report();
      const cc8 = coverage.criteria.find(c => c.id === 'CC8')!;
      expect(cc8.points[0]).toMatchObject({ status: 'fresh', itemCount: 1 });
    });

    it('gives a collector the content it filed last time', async () => {
      const knex = await databases.init(databaseId);
      const seen: Array<string | undefined> = [];
      let round = 0;
      const diffing = collector(
        'diffing',
        async ({ previous }) => {
          seen.push((await previous('access-review'))?.content.toString());
          round += 1;
          return [
            {
              type: 'access-review',
              title: 'Review',
              period,
              fileName: 'review.json',
              mediaType: 'application/json',
              content: `{"round":${round}}`,
            },
          ];
        },
        { points: ['CC6.1'] },
      );
      const services = await evidenceTestServices(knex, {
        collectors: [diffing],
      });
      const request = {
        trigger: 'api' as const,
        requestedBy: 'user:default/a',
      };
      await services.collectors.run('diffing', request);
      await services.collectors.run('diffing', request);
      expect(seen).toEqual([undefined, '{"round":1}']);
    });

    it('refuses an entity for a collector that cannot collect for one', async () => {
      const knex = await databases.init(databaseId);
      const services = await evidenceTestServices(knex, { collectors: [good] });
      await expect(
        services.collectors.start('good', {
          trigger: 'api',
          requestedBy: 'user:default/a',
          entityRef: 'component:default/x',
        }),
      ).rejects.toThrow(/whole portal/);
      await expect(
        services.collectors.start('nope', {
          trigger: 'api',
          requestedBy: 'user:default/a',
        }),
      ).rejects.toThrow(/No evidence collector nope/);
    });
  },
);
