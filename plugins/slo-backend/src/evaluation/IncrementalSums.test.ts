import { TestDatabases } from '@backstage/backend-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import { pushObjectiveYaml, sloServices } from '../testing/sloTestDatabase';
import { evaluateAt } from './evaluateObjective';
import { IncrementalSums } from './IncrementalSums';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const MINUTE = 60_000;
// Two hours before a new month and a new week (Monday 2026-12-07 00:00 UTC
// is not a month start, so the month boundary is used: 2027-01-01 is a Friday).
const START = Date.parse('2026-12-31T22:00:00Z');

/** A deterministic pseudo-random sequence. */
function random(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const calendarYaml = (name: string, duration: string) =>
  pushObjectiveYaml(name).replace(
    /timeWindow:\n {4}- duration: 30d\n {6}isRolling: true/,
    `timeWindow:\n    - duration: ${duration}\n      isRolling: false\n      calendar:\n        startTime: 2026-01-05 00:00:00\n        timeZone: UTC`,
  );

describe.each(databases.eachSupportedId())('IncrementalSums on %p', id => {
  it('evaluates each next minute from memory to the same numbers as from the store, through late changes and a new calendar month', async () => {
    const knex = await databases.init(id);
    let clock = START;
    const s = await sloServices(knex, {
      files: [
        { file: 'rolling.yaml', text: pushObjectiveYaml('rolling-30d') },
        // Summed together with the one above (the same ranges), other data.
        { file: 'rolling-b.yaml', text: pushObjectiveYaml('rolling-30d-b') },
        {
          file: 'short.yaml',
          text: pushObjectiveYaml('rolling-1d', { window: '1d' }),
        },
        { file: 'month.yaml', text: calendarYaml('calendar-month', '1M') },
        { file: 'week.yaml', text: calendarYaml('calendar-week', '1w') },
      ],
      now: () => new Date(clock),
      logger: mockServices.logger.mock(),
    });
    expect(s.discovered.problems).toEqual([]);
    const refs = s.discovered.objectives.map(o => o.objective.id);
    expect(refs).toHaveLength(5);
    const next = random(42);
    const counts = () => {
      const total = Math.floor(next() * 1000);
      return {
        total,
        good: total - Math.floor(next() * next() * total * 0.05),
      };
    };
    // Two days of history.
    for (const ref of refs) {
      const minutes = [];
      for (let m = START - 2 * 1440 * MINUTE; m < START; m += MINUTE) {
        minutes.push({ minute: new Date(m), ...counts() });
      }
      await s.samples.upsertMinutes(ref, minutes, 'push');
    }

    const sums = new IncrementalSums(knex, () => new Date(clock));
    let incremental = 0;
    for (let at = START; at < START + 150 * MINUTE; at += MINUTE) {
      clock = at + 30_000;
      for (const ref of refs) {
        // Usually the new minute; sometimes a gap, a late change to a recent
        // minute, or a change to an old one.
        const roll = next();
        if (roll > 0.05) {
          await s.samples.upsertMinutes(
            ref,
            [{ minute: new Date(at), ...counts() }],
            'push',
          );
        }
        if (roll < 0.15) {
          const back = 1 + Math.floor(next() * 10);
          await s.samples.upsertMinutes(
            ref,
            [{ minute: new Date(at - back * MINUTE), ...counts() }],
            'push',
          );
        }
        if (roll > 0.97) {
          await s.samples.upsertMinutes(
            ref,
            [{ minute: new Date(at - 20 * 60 * MINUTE), ...counts() }],
            'push',
          );
        }
      }
      clock = at + 45_000;
      const objectives = await s.objectives.all();
      const results = await sums.evaluateAll(objectives, at);
      incremental += sums.lastRun.incremental;
      for (const stored of objectives) {
        const live = results.get(stored.objective.id);
        const fromStore = await evaluateAt(knex, stored, at);
        expect(live).toEqual(fromStore);
      }
    }
    // Most minutes were evaluated from memory, not afresh.
    expect(incremental).toBeGreaterThan(150 * 5 * 0.6);
  });
});
