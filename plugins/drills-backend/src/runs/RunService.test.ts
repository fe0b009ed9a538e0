import { TestDatabases } from '@backstage/backend-test-utils';
import { Outbox } from '@internal/plugin-ops-node';
import { z } from 'zod';
import {
  ALICE,
  BOB,
  LEAD,
  OUTSIDER,
  runTestServices,
  testClock,
  testScenario,
} from './__testUtils__/runTestServices';
import { toContractItem } from './contract';
import { DRILLS_OUTBOX_TABLE } from '.';
import type { RunView } from './types';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const PAGE = { limit: 25, offset: 0 };

/** The contract the evidence plugin reads, strict: no field more or less. */
const isoTime = z.string().datetime({ offset: true });
const contractItemSchema = z
  .object({
    id: z.string().min(1),
    scenarioId: z.string(),
    title: z.string(),
    state: z.literal('finished'),
    startedAt: isoTime,
    finishedAt: isoTime,
    lead: z.string(),
    participants: z.array(
      z.object({ entityRef: z.string(), role: z.string() }).strict(),
    ),
    checkpoints: z.array(
      z
        .object({
          id: z.string(),
          title: z.string(),
          targetMinutes: z.number(),
          reachedAt: isoTime.nullable(),
          passed: z.boolean(),
        })
        .strict(),
    ),
    actionItems: z.array(
      z
        .object({
          title: z.string(),
          owner: z.string(),
          dueDate: z.string().nullable(),
        })
        .strict(),
    ),
    reportUrl: z.string().nullable(),
  })
  .strict();

const stepOf = (view: RunView, stepId: string) =>
  view.phases.flatMap(p => p.steps).find(s => s.id === stepId)!;

describe.each(databases.eachSupportedId())('drill runs on %p', databaseId => {
  async function setUp(
    options: Parameters<typeof runTestServices>[1] = {},
    start = '2026-12-01T09:00:00.000Z',
  ) {
    const clock = testClock(start);
    const knex = await databases.init(databaseId);
    const services = await runTestServices(knex, {
      now: clock.now,
      ...options,
    });
    const startRun = (
      overrides: Partial<Parameters<typeof services.runs.start>[0]> = {},
    ) =>
      services.runs.start({
        scenario: testScenario(),
        lead: LEAD,
        participants: [
          { entityRef: ALICE, role: 'coordinator' },
          { entityRef: BOB, role: 'observer' },
        ],
        calendarMonth: null,
        startedBy: LEAD,
        ...overrides,
      });
    return { ...services, clock, startRun };
  }

  it('runs a drill from start to finish, with its report, its outbox filing and one audit event per change', async () => {
    const reports: string[] = [];
    const outboxes: Outbox[] = [];
    const { runs, audit, clock, startRun, knex } = await setUp({
      renderReport: view => {
        const text = `# ${view.title}\n${view.progress.checked}/${view.progress.steps} steps`;
        reports.push(text);
        return text;
      },
      onFinished: async (view, tx) => {
        await outboxes[0].enqueue(
          [
            {
              idempotencyKey: `drill-run:${view.id}:evidence`,
              target: 'evidence',
              payload: { runId: view.id },
            },
          ],
          tx,
        );
      },
    });
    const outbox = new Outbox({ db: knex, table: DRILLS_OUTBOX_TABLE });
    outboxes.push(outbox);

    const started = await startRun({ calendarMonth: '2026-12' });
    expect(started).toMatchObject({
      scenarioId: 'database-failover',
      title: 'Fail over the checkout database',
      calendarMonth: '2026-12',
      state: 'running',
      lead: LEAD,
      startedAt: '2026-12-01T09:00:00.000Z',
      finishedAt: null,
      createdBy: LEAD,
      hasReport: false,
      reportMarkdown: null,
      progress: { steps: 6, checked: 0 },
    });
    expect(started.participants).toEqual([
      { entityRef: LEAD, role: 'lead', addedAt: started.startedAt },
      { entityRef: ALICE, role: 'coordinator', addedAt: started.startedAt },
      { entityRef: BOB, role: 'observer', addedAt: started.startedAt },
    ]);
    expect(started.phases.map(p => p.phase)).toEqual([
      'detect',
      'respond',
      'recover',
    ]);
    expect(stepOf(started, 'respond-2')).toEqual({
      id: 'respond-2',
      phase: 'respond',
      position: 3,
      text: 'Step 2 of respond',
      checked: false,
      version: 0,
      updatedBy: null,
      updatedAt: null,
    });
    expect(started.checkpoints.map(c => [c.id, c.passed, c.reachedAt])).toEqual(
      [
        ['paged', false, null],
        ['triaged', false, null],
        ['failover', false, null],
        ['recovered', false, null],
      ],
    );
    const id = started.id;

    clock.advanceMinutes(1);
    const checked = await runs.setStep(
      id,
      'detect-1',
      { checked: true, expectedVersion: 0 },
      ALICE,
    );
    expect(checked).toEqual({
      id: 'detect-1',
      phase: 'detect',
      position: 0,
      text: 'Step 1 of detect',
      checked: true,
      version: 1,
      updatedBy: ALICE,
      updatedAt: '2026-12-01T09:01:00.000Z',
    });
    clock.advanceMinutes(1);
    expect(
      await runs.setStep(
        id,
        'detect-1',
        { checked: false, expectedVersion: 1 },
        BOB,
      ),
    ).toMatchObject({ checked: false, version: 2, updatedBy: BOB });
    await runs.setStep(
      id,
      'detect-2',
      { checked: true, expectedVersion: 0 },
      LEAD,
    );

    clock.advanceMinutes(2); // 4 minutes in
    expect(await runs.reachCheckpoint(id, 'paged', BOB)).toMatchObject({
      id: 'paged',
      reachedAt: '2026-12-01T09:04:00.000Z',
      reachedBy: BOB,
      elapsedMinutes: 4,
      targetMinutes: 5,
      passed: true,
    });
    clock.advanceMinutes(8); // 12 minutes in, target 10
    expect(await runs.reachCheckpoint(id, 'triaged', ALICE)).toMatchObject({
      elapsedMinutes: 12,
      passed: false,
    });

    const note = await runs.addNote(id, 'detect-2', ' Paged at 09:03 ', BOB);
    expect(note).toMatchObject({
      runId: id,
      stepId: 'detect-2',
      author: BOB,
      text: 'Paged at 09:03',
      createdAt: '2026-12-01T09:12:00.000Z',
    });
    const attachment = await runs.addAttachment(
      id,
      'detect-2',
      {
        blobKey: `sha256/${'a'.repeat(64)}`,
        fileName: 'page.png',
        mediaType: 'image/png',
        sizeBytes: 1234,
        sha256: 'a'.repeat(64),
      },
      ALICE,
    );
    expect(await runs.getAttachment(id, attachment.id)).toEqual(attachment);
    const item = await runs.addActionItem(
      id,
      {
        title: 'Lower the paging threshold',
        owner: 'group:default/dba',
        dueDate: '2027-01-15',
      },
      ALICE,
    );
    expect(item).toMatchObject({
      owner: 'group:default/dba',
      dueDate: '2027-01-15',
      createdBy: ALICE,
    });

    await expect(runs.finish(id, ALICE)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    clock.advanceMinutes(18); // 30 minutes in
    const finished = await runs.finish(id, LEAD);
    expect(finished).toMatchObject({
      state: 'finished',
      finishedAt: '2026-12-01T09:30:00.000Z',
      endedBy: LEAD,
      hasReport: true,
      reportMarkdown: '# Fail over the checkout database\n1/6 steps',
      progress: { steps: 6, checked: 1 },
    });
    expect(finished.notes).toEqual([note]);
    expect(finished.attachments).toEqual([attachment]);
    expect(finished.actionItems).toEqual([item]);
    expect(await runs.get(id)).toEqual(finished);
    expect(reports).toHaveLength(1);
    expect((await outbox.list()).items).toMatchObject([
      { idempotencyKey: `drill-run:${id}:evidence`, state: 'pending' },
    ]);

    // A finished run changes no more.
    await expect(
      runs.setStep(
        id,
        'detect-1',
        { checked: true, expectedVersion: 2 },
        ALICE,
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('finished'),
    });
    await expect(
      runs.reachCheckpoint(id, 'failover', LEAD),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(
      runs.addNote(id, 'detect-1', 'late', LEAD),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(runs.finish(id, LEAD)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    expect(stepOf(await runs.get(id), 'detect-1')).toMatchObject({
      checked: false,
      version: 2,
    });

    expect(await audit.verify()).toEqual({ ok: true, count: 10 });
    const events = await audit.forRecord(id);
    expect(events.map(e => e.type)).toEqual([
      'drill.started',
      'drill.step_checked',
      'drill.step_unchecked',
      'drill.step_checked',
      'drill.checkpoint_reached',
      'drill.checkpoint_reached',
      'drill.note_added',
      'drill.attachment_added',
      'drill.action_item_added',
      'drill.finished',
    ]);
    expect(events[1]).toMatchObject({
      actor: ALICE,
      at: '2026-12-01T09:01:00.000Z',
      data: { stepId: 'detect-1', version: 1 },
    });
    expect(events[2].data).toEqual({ stepId: 'detect-1', version: 2 });
    expect(events[5].data).toEqual({
      checkpointId: 'triaged',
      elapsedMinutes: 12,
      targetMinutes: 10,
      passed: false,
    });
  });

  it('refuses a stale version with the current step and changes nothing', async () => {
    const { runs, audit, startRun } = await setUp();
    const { id } = await startRun();
    await runs.setStep(
      id,
      'recover-1',
      { checked: true, expectedVersion: 0 },
      ALICE,
    );
    const before = await audit.verify();

    const stale = runs.setStep(
      id,
      'recover-1',
      { checked: false, expectedVersion: 0 },
      BOB,
    );
    await expect(stale).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(`version 1, checked by ${ALICE}`),
      current: {
        id: 'recover-1',
        checked: true,
        version: 1,
        updatedBy: ALICE,
      },
    });
    expect(stepOf(await runs.get(id), 'recover-1')).toMatchObject({
      checked: true,
      version: 1,
      updatedBy: ALICE,
    });
    expect(await audit.verify()).toEqual(before);
  });

  it('answers 404 for an unknown run, step or checkpoint and 403 for someone not taking part', async () => {
    const { runs, audit, startRun } = await setUp();
    const { id } = await startRun();
    await expect(
      runs.setStep(
        'no-such-run',
        'detect-1',
        { checked: true, expectedVersion: 0 },
        LEAD,
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      runs.setStep(
        id,
        'no-such-step',
        { checked: true, expectedVersion: 0 },
        LEAD,
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      runs.setStep(
        id,
        'detect-1',
        { checked: true, expectedVersion: 0 },
        OUTSIDER,
      ),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(runs.reachCheckpoint(id, 'nope', LEAD)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      runs.reachCheckpoint(id, 'paged', OUTSIDER),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    await expect(
      runs.addNote(id, 'nope', 'a note', ALICE),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      runs.addNote(id, 'detect-1', 'a note', OUTSIDER),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(runs.get('no-such-run')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(runs.getAttachment(id, 'nope')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      runs.setStep(
        id,
        'detect-1',
        { checked: true, expectedVersion: -1 },
        LEAD,
      ),
    ).rejects.toMatchObject({ name: 'InputError' });

    const view = await runs.get(id);
    expect(view.progress.checked).toBe(0);
    expect(view.phases.flatMap(p => p.steps).every(s => s.version === 0)).toBe(
      true,
    );
    expect(view.notes).toEqual([]);
    expect((await audit.forRecord(id)).map(e => e.type)).toEqual([
      'drill.started',
    ]);
  });

  it('compares entity refs in their full lower-case form', async () => {
    const { runs, startRun } = await setUp();
    const { id } = await startRun({
      lead: 'User:Lead',
      participants: [{ entityRef: 'user:Alice', role: 'scribe' }],
    });
    const view = await runs.get(id);
    expect(view.lead).toBe(LEAD);
    expect(view.participants.map(p => p.entityRef)).toEqual([LEAD, ALICE]);
    expect(
      await runs.setStep(
        id,
        'detect-1',
        { checked: true, expectedVersion: 0 },
        'user:default/ALICE',
      ),
    ).toMatchObject({ updatedBy: ALICE, version: 1 });
  });

  it('forgets a viewer who leaves, and says whether they were shown', async () => {
    const { runs, clock, startRun } = await setUp();
    const { id } = await startRun();
    await runs.heartbeat(id, ALICE);
    await runs.heartbeat(id, BOB);
    clock.advanceMinutes(0.25);

    expect(await runs.leave(id, ALICE)).toEqual({ left: true });
    const { viewers } = await runs.heartbeat(id, LEAD);
    expect(viewers.map(v => v.entityRef).sort()).toEqual([BOB, LEAD].sort());
    // Already gone: nothing to tell anyone.
    expect(await runs.leave(id, ALICE)).toEqual({ left: false });

    // Seen over 30 s ago: no longer shown, so leaving announces nothing,
    // and coming back counts as arriving.
    clock.advanceMinutes(1);
    expect(await runs.leave(id, BOB)).toEqual({ left: false });
    expect((await runs.heartbeat(id, BOB)).arrived).toBe(true);

    await expect(runs.leave('no-such-run', ALICE)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(runs.leave(id, 'not a ref')).rejects.toMatchObject({
      name: 'InputError',
    });
  });

  it('reaches a checkpoint once', async () => {
    const { runs, clock, startRun } = await setUp();
    const { id } = await startRun();
    clock.advanceMinutes(16);
    expect(await runs.reachCheckpoint(id, 'failover', ALICE)).toMatchObject({
      elapsedMinutes: 16,
      targetMinutes: 15,
      passed: false,
    });
    clock.advanceMinutes(1);
    await expect(
      runs.reachCheckpoint(id, 'failover', LEAD),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(`2026-12-01T09:16:00.000Z by ${ALICE}`),
    });
    const checkpoint = (await runs.get(id)).checkpoints.find(
      c => c.id === 'failover',
    );
    expect(checkpoint).toMatchObject({ reachedBy: ALICE, elapsedMinutes: 16 });
  });

  it('lets only the lead abort, with a reason, and frees the calendar month', async () => {
    const { runs, audit, startRun } = await setUp();
    const first = await startRun({ calendarMonth: '2026-12' });
    await expect(startRun({ calendarMonth: '2026-12' })).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(first.id),
    });
    // Ad-hoc runs of the same scenario may run beside it.
    const adHoc = await startRun();
    expect(adHoc.calendarMonth).toBeNull();

    await expect(
      runs.abort(first.id, 'Pager outage in the region', ALICE),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      runs.abort(first.id, ' too short ', LEAD),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
    const aborted = await runs.abort(
      first.id,
      '  Pager outage in the region ',
      LEAD,
    );
    expect(aborted).toMatchObject({
      state: 'aborted',
      abortReason: 'Pager outage in the region',
      abortedAt: '2026-12-01T09:00:00.000Z',
      finishedAt: null,
      endedBy: LEAD,
    });
    await expect(
      runs.abort(first.id, 'Pager outage again, twice', LEAD),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('aborted'),
    });
    await expect(
      runs.setStep(
        first.id,
        'detect-1',
        { checked: true, expectedVersion: 0 },
        LEAD,
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('aborted'),
    });

    const second = await startRun({ calendarMonth: '2026-12' });
    expect(second.state).toBe('running');
    expect(
      (await audit.forRecord(first.id)).map(e => [e.type, e.data.reason]),
    ).toEqual([
      ['drill.started', undefined],
      ['drill.aborted', 'Pager outage in the region'],
    ]);
  });

  it('validates the participants at start and lets the lead or a coordinator add more', async () => {
    const { runs, audit, startRun } = await setUp();
    await expect(
      startRun({ participants: [{ entityRef: ALICE, role: 'lead' }] }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      startRun({
        participants: [
          { entityRef: ALICE, role: 'scribe' },
          { entityRef: ALICE, role: 'observer' },
        ],
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      startRun({ scenario: { ...testScenario(), phases: [] } }),
    ).rejects.toMatchObject({ name: 'InputError' });

    const { id } = await startRun();
    const carol = 'user:default/carol';
    await expect(
      runs.addParticipant(id, { entityRef: carol, role: 'scribe' }, BOB),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      runs.addParticipant(id, { entityRef: carol, role: 'lead' }, LEAD),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(
      await runs.addParticipant(
        id,
        { entityRef: carol, role: 'scribe' },
        ALICE,
      ),
    ).toMatchObject({ entityRef: carol, role: 'scribe' });
    await expect(
      runs.addParticipant(id, { entityRef: BOB, role: 'scribe' }, LEAD),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('observer'),
    });
    expect(
      await runs.setStep(
        id,
        'detect-1',
        { checked: true, expectedVersion: 0 },
        carol,
      ),
    ).toMatchObject({ updatedBy: carol });
    expect((await audit.forRecord(id)).map(e => e.type)).toEqual([
      'drill.started',
      'drill.participant_added',
      'drill.step_checked',
    ]);
  });

  it('lists runs newest first, and finished runs by finish time in the evidence contract shape', async () => {
    const { runs, clock, startRun } = await setUp();
    const a = await startRun({ scenario: testScenario({ id: 'scenario-a' }) });
    clock.advanceMinutes(10);
    const b = await startRun({ scenario: testScenario({ id: 'scenario-b' }) });
    clock.advanceMinutes(10);
    const c = await startRun({ scenario: testScenario({ id: 'scenario-a' }) });
    await runs.reachCheckpoint(c.id, 'paged', LEAD);
    await runs.addActionItem(
      c.id,
      { title: 'Fix the pager', owner: ALICE },
      LEAD,
    );
    clock.advanceMinutes(10); // 09:30
    await runs.finish(c.id, LEAD);
    clock.advanceMinutes(10); // 09:40
    await runs.finish(a.id, LEAD);

    const all = await runs.list({}, PAGE);
    expect(all.totalCount).toBe(3);
    expect(all.items.map(r => r.id)).toEqual([c.id, b.id, a.id]);
    expect(all.items[1]).toMatchObject({
      state: 'running',
      progress: { steps: 6, checked: 0 },
      hasReport: false,
    });
    expect(
      (await runs.list({ scenarioId: 'scenario-a' }, PAGE)).items.map(
        r => r.id,
      ),
    ).toEqual([c.id, a.id]);
    expect(
      (await runs.list({ state: 'running' }, PAGE)).items.map(r => r.id),
    ).toEqual([b.id]);

    const finished = await runs.list({ state: 'finished' }, PAGE);
    expect(finished.items.map(r => r.id)).toEqual([c.id, a.id]);
    // finishedAfter inclusive, finishedBefore exclusive.
    const window = await runs.list(
      {
        state: 'finished',
        finishedAfter: new Date('2026-12-01T09:30:00.000Z'),
        finishedBefore: new Date('2026-12-01T09:40:00.000Z'),
      },
      PAGE,
    );
    expect(window.items.map(r => r.id)).toEqual([c.id]);
    expect(
      (
        await runs.list(
          {
            state: 'finished',
            finishedAfter: new Date('2026-12-01T09:30:00.001Z'),
          },
          PAGE,
        )
      ).items.map(r => r.id),
    ).toEqual([a.id]);
    const paged = await runs.list(
      { state: 'finished' },
      { limit: 1, offset: 1 },
    );
    expect(paged).toMatchObject({ totalCount: 2, limit: 1, offset: 1 });
    expect(paged.items.map(r => r.id)).toEqual([a.id]);

    const item = toContractItem(
      window.items[0],
      `http://portal.test/drills/runs/${c.id}/report`,
    );
    expect(contractItemSchema.parse(item)).toEqual(item);
    expect(item).toEqual({
      id: c.id,
      scenarioId: 'scenario-a',
      title: 'Fail over the checkout database',
      state: 'finished',
      startedAt: '2026-12-01T09:20:00.000Z',
      finishedAt: '2026-12-01T09:30:00.000Z',
      lead: LEAD,
      participants: [
        { entityRef: LEAD, role: 'lead' },
        { entityRef: ALICE, role: 'coordinator' },
        { entityRef: BOB, role: 'observer' },
      ],
      checkpoints: [
        {
          id: 'paged',
          title: 'Alert paged',
          targetMinutes: 5,
          reachedAt: '2026-12-01T09:20:00.000Z',
          passed: true,
        },
        {
          id: 'triaged',
          title: 'Cause known',
          targetMinutes: 10,
          reachedAt: null,
          passed: false,
        },
        {
          id: 'failover',
          title: 'Replica promoted',
          targetMinutes: 15,
          reachedAt: null,
          passed: false,
        },
        {
          id: 'recovered',
          title: 'Redundancy restored',
          targetMinutes: 60,
          reachedAt: null,
          passed: false,
        },
      ],
      actionItems: [{ title: 'Fix the pager', owner: ALICE, dueDate: null }],
      reportUrl: `http://portal.test/drills/runs/${c.id}/report`,
    });
    expect(() => toContractItem(all.items[1], null)).toThrow(/running/);
  });

  it('computes history per scenario from finished runs', async () => {
    const { runs, clock, startRun } = await setUp(
      {},
      '2026-10-06T09:00:00.000Z',
    );
    // October: detect in 4 (paged) then 9 (triaged), respond in 14, recover in 50.
    const october = await startRun({ calendarMonth: '2026-10' });
    clock.advanceMinutes(4);
    await runs.reachCheckpoint(october.id, 'paged', LEAD);
    clock.advanceMinutes(5);
    await runs.reachCheckpoint(october.id, 'triaged', LEAD);
    clock.advanceMinutes(5);
    await runs.reachCheckpoint(october.id, 'failover', LEAD);
    clock.advanceMinutes(36);
    await runs.reachCheckpoint(october.id, 'recovered', LEAD);
    clock.advanceMinutes(10);
    await runs.finish(october.id, LEAD);

    // November: detect late (11.5), respond never, recover in 70 (late).
    clock.set('2026-11-03T09:00:00.000Z');
    const november = await startRun({ calendarMonth: '2026-11' });
    clock.advanceMinutes(3);
    await runs.reachCheckpoint(november.id, 'paged', LEAD);
    clock.advanceMinutes(8.5);
    await runs.reachCheckpoint(november.id, 'triaged', LEAD);
    clock.advanceMinutes(58.5);
    await runs.reachCheckpoint(november.id, 'recovered', LEAD);
    await runs.finish(november.id, LEAD);

    // Neither a running nor an aborted run counts.
    clock.set('2026-12-01T09:00:00.000Z');
    await startRun({ calendarMonth: '2026-12' });
    const aborted = await startRun();
    await runs.abort(aborted.id, 'Started by mistake, sorry', LEAD);
    const other = await startRun({
      scenario: testScenario({ id: 'key-rotation' }),
    });
    await runs.finish(other.id, LEAD);

    const history = await runs.history('database-failover');
    expect(history).toHaveLength(1);
    const [failover] = history;
    expect(failover.runs.map(r => r.runId)).toEqual([october.id, november.id]);
    expect(failover.runs[0]).toMatchObject({
      startedAt: '2026-10-06T09:00:00.000Z',
      finishedAt: '2026-10-06T10:00:00.000Z',
      durationMinutes: 60,
      timeToDetectMinutes: 9,
      timeToRespondMinutes: 14,
      timeToRecoverMinutes: 50,
      checkpointsPassed: 4,
      checkpointsTotal: 4,
      passRate: 1,
    });
    expect(failover.runs[1]).toMatchObject({
      durationMinutes: 70,
      timeToDetectMinutes: 11.5,
      timeToRespondMinutes: null,
      timeToRecoverMinutes: 70,
      checkpointsPassed: 1,
      checkpointsTotal: 4,
      passRate: 0.25,
    });
    expect(failover.runs[1].phases).toEqual([
      {
        phase: 'detect',
        checkpointId: 'triaged',
        targetMinutes: 10,
        minutes: 11.5,
        passed: false,
      },
      {
        phase: 'respond',
        checkpointId: 'failover',
        targetMinutes: 15,
        minutes: null,
        passed: false,
      },
      {
        phase: 'recover',
        checkpointId: 'recovered',
        targetMinutes: 60,
        minutes: 70,
        passed: false,
      },
    ]);
    expect(failover).toMatchObject({
      checkpointsPassed: 5,
      checkpointsTotal: 8,
      passRate: 5 / 8,
    });
    expect(
      (await runs.history()).map(h => [h.scenarioId, h.runs.length]),
    ).toEqual([
      ['database-failover', 2],
      ['key-rotation', 1],
    ]);
  });

  it('keeps the steps a run started with when the scenario changes later', async () => {
    const { runs, startRun } = await setUp();
    const first = await startRun();
    const changed = testScenario({ stepsPerPhase: 1 });
    changed.phases[0].steps[0].text = 'A new first step';
    const second = await startRun({ scenario: changed });
    expect((await runs.get(first.id)).progress.steps).toBe(6);
    expect(stepOf(await runs.get(first.id), 'detect-1').text).toBe(
      'Step 1 of detect',
    );
    expect(stepOf(await runs.get(second.id), 'detect-1').text).toBe(
      'A new first step',
    );
  });

  it('records calendar overrides as a log, each with an audit event', async () => {
    const { runs, audit } = await setUp();
    await expect(
      runs.recordOverride(
        { month: '2027-01', kind: 'swap', reason: 'The DBA team is away' },
        LEAD,
      ),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      runs.recordOverride(
        {
          month: '2027-01',
          kind: 'reschedule',
          date: '2027-02-02',
          reason: 'The DBA team is away',
        },
        LEAD,
      ),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      runs.recordOverride(
        { month: '2027-13', kind: 'skip', reason: 'The DBA team is away' },
        LEAD,
      ),
    ).rejects.toMatchObject({ name: 'InputError' });

    await runs.recordOverride(
      {
        month: '2027-01',
        kind: 'swap',
        scenarioId: 'key-rotation',
        reason: 'The DBA team is away',
      },
      LEAD,
    );
    await runs.recordOverride(
      { month: '2027-03', kind: 'skip', reason: 'Company offsite all month' },
      ALICE,
    );
    const replaced = await runs.recordOverride(
      {
        month: '2027-01',
        kind: 'reschedule',
        date: '2027-01-12',
        reason: 'Holiday on the first Tuesday',
      },
      ALICE,
    );
    expect(replaced).toEqual({
      month: '2027-01',
      kind: 'reschedule',
      scenarioId: null,
      date: '2027-01-12',
      reason: 'Holiday on the first Tuesday',
      recordedBy: ALICE,
      recordedAt: '2026-12-01T09:00:00.000Z',
    });
    // The earlier swap stays on record; the calendar applies them in order.
    const all = await runs.listOverrides();
    expect(all).toHaveLength(3);
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ month: '2027-01', kind: 'swap' }),
        replaced,
        expect.objectContaining({ month: '2027-03', kind: 'skip' }),
      ]),
    );
    expect(all[2].month).toBe('2027-03');
    expect(
      (await runs.listOverrides({ fromMonth: '2027-02' })).map(o => o.month),
    ).toEqual(['2027-03']);
    expect(
      (await runs.listOverrides({ toMonth: '2027-02' })).map(o => o.month),
    ).toEqual(['2027-01', '2027-01']);
    const events = await audit.forRecord('calendar-2027-01');
    expect(events.map(e => [e.type, e.data.kind, e.data.replaces])).toEqual([
      ['drill.calendar_override', 'swap', null],
      ['drill.calendar_override', 'reschedule', 'swap'],
    ]);
    expect(await audit.verify()).toEqual({ ok: true, count: 3 });
  });
});
