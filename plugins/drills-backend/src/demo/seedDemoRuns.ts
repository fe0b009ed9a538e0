import type { LoggerService } from '@backstage/backend-plugin-api';
import { DateTime } from 'luxon';
import { Runbook, scenarioSnapshot } from '../runbooks';
import type { RunService } from '../runs';

export interface SeedDemoRunsOptions {
  /** A run service whose clock is `clock` (the seed moves time along as the drill goes). */
  runsAt: (clock: () => Date) => RunService;
  runbooks: Runbook[];
  logger: Pick<LoggerService, 'info' | 'warn'>;
  now?: Date;
}

const DAVE = 'user:default/dave';
const ERIN = 'user:default/erin';
const FRANK = 'user:default/frank';
const GUEST = 'user:default/guest';

/**
 * The demo's drills, made once on an empty database through the same
 * service calls a team makes: last month's database-restore drill, run from
 * start to finish by dave's team (with its report, and its evidence filing
 * on the way), and a bad-deploy rollback drill the demo guest leads, in
 * progress since twenty minutes ago.
 */
export async function seedDemoRuns(options: SeedDemoRunsOptions) {
  const now = options.now ?? new Date();
  let time = now;
  const runs = options.runsAt(() => time);
  if ((await runs.list({}, { limit: 1, offset: 0 })).totalCount > 0) return;
  const scenario = (id: string) => options.runbooks.find(r => r.id === id);
  const restore = scenario('database-failure-restore');
  const rollback = scenario('bad-deploy-rollback');
  if (!restore || !rollback) {
    options.logger.warn(
      'Demo drills not seeded: the database-failure-restore and bad-deploy-rollback runbooks are missing',
    );
    return;
  }

  // Last month's drill, 10:00 in Berlin on its first Tuesday.
  const lastMonth = DateTime.fromJSDate(now, { zone: 'Europe/Berlin' })
    .minus({ months: 1 })
    .startOf('month');
  const firstTuesday = lastMonth.plus({
    days: (2 - lastMonth.weekday + 7) % 7,
  });
  time = firstTuesday.set({ hour: 10 }).toJSDate();
  const at = (minutes: number) => {
    time = new Date(firstTuesday.set({ hour: 10 }).toMillis() + minutes * 60_000);
  };
  const finished = await runs.start({
    scenario: scenarioSnapshot(restore),
    lead: DAVE,
    participants: [
      { entityRef: GUEST, role: 'coordinator' },
      { entityRef: FRANK, role: 'scribe' },
      { entityRef: ERIN, role: 'observer' },
    ],
    calendarMonth: lastMonth.toFormat('yyyy-MM'),
    startedBy: DAVE,
  });
  const team = [DAVE, GUEST, FRANK];
  let minute = 0.5;
  const checkpointAfter = new Map(
    restore.phases.flatMap(p =>
      p.steps.filter(s => s.checkpoint).map(s => [s.id, s.checkpoint!]),
    ),
  );
  // Minutes a step takes, by phase: quick to detect, slow to recover.
  const pace: Record<string, number> = {
    detect: 0.8,
    respond: 2,
    recover: 6,
    'follow-up': 2,
  };
  for (const [i, step] of finished.phases.flatMap(p => p.steps).entries()) {
    at(minute);
    await runs.setStep(
      finished.id,
      step.id,
      { checked: true, expectedVersion: 0 },
      team[i % team.length],
    );
    if (i === 1) {
      await runs.addNote(
        finished.id,
        step.id,
        'Replica lag alert fired 40 s after the primary was stopped; paged as expected.',
        FRANK,
      );
    }
    const checkpoint = checkpointAfter.get(step.id);
    if (checkpoint) await runs.reachCheckpoint(finished.id, checkpoint, GUEST);
    minute += pace[step.phase] ?? 2;
  }
  at(minute);
  await runs.addActionItem(
    finished.id,
    {
      title: 'Automate the restore-point lookup in the runbook',
      owner: FRANK,
      dueDate: firstTuesday.plus({ weeks: 3 }).toFormat('yyyy-MM-dd'),
    },
    DAVE,
  );
  at(minute + 2);
  await runs.finish(finished.id, DAVE);

  // This month's practice run, under way.
  time = new Date(now.getTime() - 20 * 60_000);
  const running = await runs.start({
    scenario: scenarioSnapshot(rollback),
    lead: GUEST,
    participants: [
      { entityRef: DAVE, role: 'coordinator' },
      { entityRef: FRANK, role: 'scribe' },
    ],
    calendarMonth: null,
    startedBy: GUEST,
  });
  const detect = running.phases[0]?.steps ?? [];
  for (const [i, step] of detect.slice(0, 3).entries()) {
    time = new Date(now.getTime() - (17 - i * 3) * 60_000);
    await runs.setStep(
      running.id,
      step.id,
      { checked: true, expectedVersion: 0 },
      i % 2 ? DAVE : FRANK,
    );
  }
  options.logger.info(
    `Demo drills seeded: ${restore.id} finished (${finished.id}), ${rollback.id} running (${running.id})`,
  );
}
