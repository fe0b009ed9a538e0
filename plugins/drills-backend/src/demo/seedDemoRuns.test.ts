import { TestDatabases } from '@backstage/backend-test-utils';
import { join } from 'node:path';
import { loadRunbooks } from '../runbooks';
import { RunService } from '../runs';
import { runTestServices } from '../runs/__testUtils__/runTestServices';
import { seedDemoRuns } from './seedDemoRuns';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const RUNBOOKS = join(__dirname, '../../../../runbooks');
const logger = { info: jest.fn(), warn: jest.fn() };

describe('seedDemoRuns', () => {
  it('makes one finished drill with its report and one in progress, once', async () => {
    const knex = await databases.init('SQLITE_3');
    const { audit } = await runTestServices(knex);
    const onFinished = jest.fn(async () => {});
    const runsAt = (now?: () => Date) =>
      new RunService({
        db: knex,
        audit,
        now,
        renderReport: run => `# Drill report: ${run.title}\n`,
        onFinished,
      });
    const { runbooks } = await loadRunbooks(RUNBOOKS);
    const now = new Date('2026-12-01T15:00:00Z');
    await seedDemoRuns({ runsAt, runbooks, logger, now });

    const runs = runsAt();
    const finished = await runs.list(
      { state: 'finished' },
      { limit: 10, offset: 0 },
    );
    expect(finished.items).toHaveLength(1);
    const done = await runs.get(finished.items[0].id);
    expect(done).toMatchObject({
      scenarioId: 'database-failure-restore',
      calendarMonth: '2026-11',
      lead: 'user:default/dave',
      startedAt: '2026-11-03T09:00:00.000Z',
      hasReport: true,
    });
    expect(done.progress.checked).toBe(done.progress.steps);
    expect(done.checkpoints.every(c => c.reachedAt !== null)).toBe(true);
    expect(done.actionItems).toHaveLength(1);
    expect(onFinished).toHaveBeenCalledTimes(1);

    const running = await runs.list(
      { state: 'running' },
      { limit: 10, offset: 0 },
    );
    expect(running.items).toHaveLength(1);
    expect(running.items[0]).toMatchObject({
      scenarioId: 'bad-deploy-rollback',
      lead: 'user:default/guest',
      calendarMonth: null,
    });
    expect(running.items[0].progress.checked).toBe(3);

    // A second start seeds nothing more.
    await seedDemoRuns({ runsAt, runbooks, logger, now });
    expect((await runs.list({}, { limit: 10, offset: 0 })).totalCount).toBe(
      2,
    );
  });
});
