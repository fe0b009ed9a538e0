import { TestDatabases } from '@backstage/backend-test-utils';
import {
  ALICE,
  BOB,
  LEAD,
  runTestServices,
  testClock,
  testScenario,
} from './__testUtils__/runTestServices';
import { PARTICIPANT_ROLES } from './types';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** 20 people: the lead, two named ones and 17 more, every one a participant. */
const PEOPLE = [
  LEAD,
  ALICE,
  BOB,
  ...Array.from({ length: 17 }, (_, i) => `user:default/person-${i + 1}`),
];

describe.each(databases.eachSupportedId())(
  'concurrent step checks on %p',
  databaseId => {
    async function setUp() {
      const knex = await databases.init(databaseId);
      const clock = testClock('2026-12-01T09:00:00.000Z');
      const services = await runTestServices(knex, { now: clock.now });
      const run = await services.runs.start({
        // 7 steps in each of three phases: 21 steps.
        scenario: testScenario({ stepsPerPhase: 7 }),
        lead: LEAD,
        participants: PEOPLE.slice(1).map((entityRef, i) => ({
          entityRef,
          role: PARTICIPANT_ROLES[1 + (i % 3)],
        })),
        startedBy: LEAD,
      });
      return { ...services, run };
    }

    it('lets exactly one of 20 simultaneous checks of one step at one version win; the others get 409', async () => {
      const { runs, audit, run } = await setUp();
      const results = await Promise.allSettled(
        PEOPLE.map(person =>
          runs.setStep(
            run.id,
            'respond-3',
            { checked: true, expectedVersion: 0 },
            person,
          ),
        ),
      );
      const won = results.flatMap(r =>
        r.status === 'fulfilled' ? [r.value] : [],
      );
      const lost = results.flatMap(r =>
        r.status === 'rejected' ? [r.reason] : [],
      );
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ checked: true, version: 1 });
      expect(lost).toHaveLength(19);
      for (const error of lost) {
        expect(error).toMatchObject({
          name: 'ConflictError',
          current: { id: 'respond-3', version: 1, updatedBy: won[0].updatedBy },
        });
      }

      const step = (await runs.get(run.id)).phases
        .flatMap(p => p.steps)
        .find(s => s.id === 'respond-3');
      expect(step).toEqual(won[0]);
      expect(await audit.verify()).toEqual({ ok: true, count: 2 });
      const events = await audit.forRecord(run.id);
      expect(events.map(e => [e.type, e.actor, e.data])).toEqual([
        ['drill.started', LEAD, expect.anything()],
        [
          'drill.step_checked',
          won[0].updatedBy,
          { stepId: 'respond-3', version: 1 },
        ],
      ]);
    });

    it('loses no check when 20 people check 20 different steps at once', async () => {
      const { runs, audit, run } = await setUp();
      const steps = run.phases.flatMap(p => p.steps).slice(0, 20);
      const results = await Promise.allSettled(
        steps.map((step, i) =>
          runs.setStep(
            run.id,
            step.id,
            { checked: true, expectedVersion: 0 },
            PEOPLE[i],
          ),
        ),
      );
      expect(results.filter(r => r.status === 'rejected')).toEqual([]);

      const view = await runs.get(run.id);
      expect(view.progress).toEqual({ steps: 21, checked: 20 });
      const after = view.phases.flatMap(p => p.steps);
      steps.forEach((step, i) =>
        expect(after.find(s => s.id === step.id)).toMatchObject({
          checked: true,
          version: 1,
          updatedBy: PEOPLE[i],
        }),
      );
      expect(after.find(s => s.id === 'recover-7')).toMatchObject({
        checked: false,
        version: 0,
      });
      expect(await audit.verify()).toEqual({ ok: true, count: 21 });
      const events = await audit.forRecord(run.id);
      expect(
        events
          .filter(e => e.type === 'drill.step_checked')
          .map(e => e.data.stepId)
          .sort(),
      ).toEqual(steps.map(s => s.id).sort());
    });

    it('keeps every check when the same 5 steps are toggled in rounds by everyone', async () => {
      const { runs, audit, run } = await setUp();
      const targets = [
        'detect-1',
        'detect-2',
        'respond-1',
        'recover-1',
        'recover-7',
      ];
      // Each round every person tries every target at the version of that
      // round: per step exactly one write per round wins.
      for (let round = 0; round < 3; round++) {
        const results = await Promise.allSettled(
          PEOPLE.flatMap(person =>
            targets.map(stepId =>
              runs.setStep(
                run.id,
                stepId,
                { checked: round % 2 === 0, expectedVersion: round },
                person,
              ),
            ),
          ),
        );
        expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(
          targets.length,
        );
      }
      const after = (await runs.get(run.id)).phases.flatMap(p => p.steps);
      for (const stepId of targets) {
        expect(after.find(s => s.id === stepId)).toMatchObject({
          checked: true,
          version: 3,
        });
      }
      expect(await audit.verify()).toEqual({
        ok: true,
        count: 1 + 3 * targets.length,
      });
    });

    it('starts one run of a calendar month when several start at once', async () => {
      const { runs } = await setUp();
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          runs.start({
            scenario: testScenario(),
            lead: LEAD,
            calendarMonth: '2027-01',
            startedBy: LEAD,
          }),
        ),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.flatMap(r =>
        r.status === 'rejected' ? [r.reason] : [],
      );
      expect(refused).toEqual(
        Array(4).fill(expect.objectContaining({ name: 'ConflictError' })),
      );
      expect(
        (await runs.list({}, { limit: 25, offset: 0 })).items.filter(
          r => r.calendarMonth === '2027-01',
        ),
      ).toHaveLength(1);
    });

    it('never changes a step once its run has finished, when the finish races the checks', async () => {
      const { runs, run } = await setUp();
      const checks = PEOPLE.map((person, i) =>
        runs.setStep(
          run.id,
          run.phases.flatMap(p => p.steps)[i].id,
          { checked: true, expectedVersion: 0 },
          person,
        ),
      );
      const finish = runs.finish(run.id, LEAD);
      const results = await Promise.allSettled([...checks, finish]);
      const finished = results[results.length - 1];
      expect(finished.status).toBe('fulfilled');
      const view = await runs.get(run.id);
      // Every check that succeeded is in the finished run; every other one got 409.
      const succeeded = results
        .slice(0, -1)
        .filter(r => r.status === 'fulfilled').length;
      expect(view.progress.checked).toBe(succeeded);
      expect(
        (finished as PromiseFulfilledResult<typeof view>).value.progress
          .checked,
      ).toBe(succeeded);
      const refused = results
        .slice(0, -1)
        .flatMap(r => (r.status === 'rejected' ? [r.reason] : []));
      expect(refused).toEqual(
        Array(PEOPLE.length - succeeded).fill(
          expect.objectContaining({
            name: 'ConflictError',
            message: expect.stringContaining('finished'),
          }),
        ),
      );
    });
  },
);
