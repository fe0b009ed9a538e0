import { TestDatabases } from '@backstage/backend-test-utils';
import { Outbox } from '@internal/plugin-ops-node';
import type { Registry } from 'prom-client';
import { enqueueEvidenceFiling } from '../evidence';
import { DRILLS_OUTBOX_TABLE } from '../runs';
import {
  ALICE,
  LEAD,
  runTestServices,
  testClock,
  testScenario,
} from '../runs/__testUtils__/runTestServices';
import { DrillsMetricsStore } from './DrillsMetricsStore';
import { createDrillsMetrics } from './drillsMetrics';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

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
  'drills metrics on %p',
  databaseId => {
    it('counts runs by state, the checkpoint pass rate per scenario and the pending filings', async () => {
      const knex = await databases.init(databaseId);
      const clock = testClock('2026-12-01T09:00:00.000Z');
      const outbox = new Outbox({ db: knex, table: DRILLS_OUTBOX_TABLE });
      const { runs } = await runTestServices(knex, {
        now: clock.now,
        onFinished: async (run, tx) => {
          await enqueueEvidenceFiling(outbox, run, tx);
        },
      });
      const registry = createDrillsMetrics({
        store: new DrillsMetricsStore(knex),
        runs,
        outbox,
      });
      expect(await scrape(registry)).toEqual(
        new Map([
          [
            'drills_runs',
            new Map([
              ['running', 0],
              ['finished', 0],
              ['aborted', 0],
            ]),
          ],
          ['drills_checkpoint_pass_ratio', new Map()],
          ['drills_outbox_pending', new Map([['', 0]])],
        ]),
      );

      /** A run of `scenario` that reaches checkpoints at the given minutes. */
      const drill = async (
        scenario: string,
        reached: Array<[string, number]>,
        end: 'finish' | 'abort' | 'none' = 'finish',
      ) => {
        const start = clock.now().getTime();
        const run = await runs.start({
          scenario: testScenario({ id: scenario }),
          lead: LEAD,
          participants: [{ entityRef: ALICE, role: 'coordinator' }],
          calendarMonth: null,
          startedBy: LEAD,
        });
        for (const [checkpoint, minute] of reached) {
          clock.set(new Date(start + minute * 60_000).toISOString());
          await runs.reachCheckpoint(run.id, checkpoint, ALICE);
        }
        clock.advanceMinutes(1);
        if (end === 'finish') await runs.finish(run.id, LEAD);
        if (end === 'abort') {
          await runs.abort(run.id, 'the staging cluster went away', LEAD);
        }
        clock.advanceMinutes(60);
      };
      // Targets: paged 5, triaged 10, failover 15, recovered 60 minutes.
      // 2 of 4 in time (triaged late, recovered never), then 4 of 4.
      await drill('database-failover', [
        ['paged', 4],
        ['triaged', 12],
        ['failover', 14],
      ]);
      await drill('database-failover', [
        ['paged', 3],
        ['triaged', 8],
        ['failover', 13],
        ['recovered', 50],
      ]);
      await drill('key-rotation', []);
      await drill('key-rotation', [['paged', 1]], 'abort');
      await drill('regional-failover', [['paged', 1]], 'none');
      // One filing delivered, two waiting.
      await knex(DRILLS_OUTBOX_TABLE)
        .where('id', knex(DRILLS_OUTBOX_TABLE).min('id'))
        .update({ state: 'delivered' });

      const values = await scrape(registry);
      expect(values.get('drills_runs')).toEqual(
        new Map([
          ['running', 1],
          ['finished', 3],
          ['aborted', 1],
        ]),
      );
      // The same figures as GET /history.
      expect(
        (await runs.history()).map(h => [h.scenarioId, h.passRate]),
      ).toEqual([
        ['database-failover', 0.75],
        ['key-rotation', 0],
      ]);
      expect(values.get('drills_checkpoint_pass_ratio')).toEqual(
        new Map([
          ['database-failover', 0.75],
          ['key-rotation', 0],
        ]),
      );
      expect(values.get('drills_outbox_pending')).toEqual(new Map([['', 2]]));
      const text = await registry.metrics();
      expect(text).not.toContain('user:');
      expect(text).not.toContain('staging cluster');
    });
  },
);
