import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuditChain,
  AuditEntry,
  Outbox,
  Page,
  PageQuery,
  isPostgres,
  parseInput,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { OverrideStore } from './OverrideStore';
import { PresenceStore } from './PresenceStore';
import { RunStore, StepRow, toStep } from './RunStore';
import {
  abortBodySchema,
  actionItemBodySchema,
  attachmentMetadataSchema,
  normalizeEntityRef,
  noteBodySchema,
  overrideBodySchema,
  participantSchema,
  setStepBodySchema,
  startRunInputSchema,
} from './schemas';
import { minutesBetween, summarizeHistory, timeCheckpoint } from './timing';
import type {
  ActionItem,
  CalendarOverride,
  NewAttachment,
  NewCalendarOverride,
  ParticipantRole,
  RunCheckpoint,
  RunListFilter,
  RunListItem,
  RunParticipant,
  RunEvidenceFiling,
  RunRecord,
  RunStep,
  RunView,
  RunViewer,
  ScenarioHistory,
  StartRunInput,
  StepAttachment,
  StepNote,
} from './types';

/**
 * A stale `expectedVersion` (409): `current` is the step as it is now, so
 * the caller can show it and try again from there.
 */
export class StepVersionConflictError extends ConflictError {
  readonly current: RunStep;

  constructor(message: string, current: RunStep) {
    super(message);
    this.current = current;
  }
}

export interface RunServiceOptions {
  db: Knex;
  /** The drills audit chain (`drills_audit_events` / `drills_audit_pending`). */
  audit: AuditChain;
  store?: RunStore;
  overrides?: OverrideStore;
  /** The clock every time is read from. Default: the system clock. */
  now?: () => Date;
  /** Ids of runs, notes, attachments and action items. Default: random UUIDs. */
  newId?: () => string;
  /** Renders the report stored with a run when it finishes (inside the finishing transaction). */
  renderReport?: (run: RunView) => string;
  /**
   * Runs inside the finishing transaction, after the report is set: e.g.
   * enqueue the evidence filing in the outbox, so it exists if and only if
   * the run finished.
   */
  onFinished?: (run: RunView, tx: Knex.Transaction) => Promise<void>;
  /** The outbox the evidence filing goes through, to tell where it stands. */
  outbox?: Outbox;
}

/** The outbox key of a finished run's evidence filing: one per run. */
export const evidenceDeliveryKey = (runId: string) =>
  `drills-evidence:${runId}`;

/** A heartbeat counts this long: who has not sent one since is no longer looking. */
export const PRESENCE_WINDOW_MS = 30_000;

type Role = ParticipantRole;

/** Whether an error is a unique-constraint violation, on PostgreSQL or SQLite. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === '23505' ||
    (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT_UNIQUE'))
  );
}

function actorRef(actor: string): string {
  try {
    return normalizeEntityRef(actor);
  } catch {
    throw new InputError(`The actor ${actor} is not an entity ref`);
  }
}

const describeStep = (step: RunStep) =>
  `version ${step.version}, ${step.checked ? 'checked' : 'unchecked'}${
    step.updatedBy ? ` by ${step.updatedBy} at ${step.updatedAt}` : ''
  }`;

/**
 * The rules of drill runs: who may do what, in which state, and an audit
 * event for every change in the transaction of the change. Times come from
 * the injected clock. The router checks permissions; this checks that the
 * actor takes part in the run (and is its lead where it must be).
 */
export class RunService {
  readonly store: RunStore;
  readonly overrides: OverrideStore;
  readonly presence: PresenceStore;
  readonly #db: Knex;
  readonly #outbox?: Outbox;
  readonly #audit: AuditChain;
  readonly #now: () => Date;
  readonly #newId: () => string;
  readonly #postgres: boolean;
  readonly #renderReport?: (run: RunView) => string;
  readonly #onFinished?: RunServiceOptions['onFinished'];

  constructor(options: RunServiceOptions) {
    this.#db = options.db;
    this.#audit = options.audit;
    this.store = options.store ?? new RunStore(options.db);
    this.overrides = options.overrides ?? new OverrideStore(options.db);
    this.presence = new PresenceStore(options.db);
    this.#outbox = options.outbox;
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? randomUUID;
    this.#postgres = isPostgres(options.db);
    this.#renderReport = options.renderReport;
    this.#onFinished = options.onFinished;
  }

  /**
   * Starts a run of a scenario, copying its steps and checkpoints in. The
   * lead takes part with role lead. A calendar month holds one run: a
   * second one for the same month is refused (409) unless the first was
   * aborted; ad-hoc runs (no month) are not limited.
   */
  async start(input: StartRunInput): Promise<RunView> {
    const parsed = parseInput(startRunInputSchema, input);
    const { scenario, lead, startedBy } = parsed;
    const calendarMonth = parsed.calendarMonth ?? null;
    const participants: Array<{ entityRef: string; role: Role }> = [
      { entityRef: lead, role: 'lead' },
    ];
    for (const participant of parsed.participants) {
      if (participant.entityRef === lead) continue;
      if (participant.role === 'lead') {
        throw new InputError(
          `A run has one lead (${lead}); ${participant.entityRef} cannot be lead too`,
        );
      }
      if (participants.some(p => p.entityRef === participant.entityRef)) {
        throw new InputError(
          `${participant.entityRef} is named twice among the participants`,
        );
      }
      participants.push(participant);
    }
    if (calendarMonth) await this.#refuseHeldMonth(calendarMonth);

    const id = this.#newId();
    const at = this.#now();
    let position = 0;
    const steps = scenario.phases.flatMap(({ phase, steps: phaseSteps }) =>
      phaseSteps.map(step => ({
        id: step.id,
        phase,
        text: step.text,
        position: position++,
      })),
    );
    const checkpoints = scenario.checkpoints.map((checkpoint, i) => ({
      ...checkpoint,
      position: i,
    }));
    try {
      await this.#db.transaction(async tx => {
        await this.store.insertRun(
          {
            record: {
              id,
              scenarioId: scenario.id,
              title: scenario.title,
              calendarMonth,
              state: 'running',
              lead,
              startedAt: at,
              createdBy: startedBy,
            },
            participants,
            steps,
            checkpoints,
          },
          tx,
        );
        await this.#audit.enqueue(
          [
            {
              recordId: id,
              type: 'drill.started',
              actor: startedBy,
              at,
              data: {
                scenarioId: scenario.id,
                calendarMonth,
                lead,
                participants: participants.map(p => ({
                  entityRef: p.entityRef,
                  role: p.role,
                })),
                steps: steps.length,
                checkpoints: checkpoints.length,
              },
            },
          ],
          tx,
        );
      });
    } catch (error) {
      if (calendarMonth && isUniqueViolation(error)) {
        await this.#refuseHeldMonth(calendarMonth);
        throw new ConflictError(
          `${calendarMonth} already has a drill run that is not aborted`,
        );
      }
      throw error;
    }
    return this.get(id);
  }

  /**
   * Checks or unchecks a step. One statement writes it, and only when the
   * step is still at `expectedVersion`, the run is running and the actor
   * takes part: of two people acting on the same version one wins and the
   * other gets a 409 with the step as it is now. The new version is the old
   * one plus one; the audit event is written with it, atomically.
   */
  async setStep(
    runId: string,
    stepId: string,
    change: { checked: boolean; expectedVersion: number },
    actor: string,
  ): Promise<RunStep> {
    const body = parseInput(setStepBodySchema, change);
    const by = actorRef(actor);
    const at = this.#now();
    const rows = await this.#audit.auditedWrite<StepRow & { id: string }>({
      statement: this.store.setStepStatement(runId, stepId, body, by, at),
      events: [
        {
          type: body.checked ? 'drill.step_checked' : 'drill.step_unchecked',
          actor: by,
          at,
          data: { stepId },
        },
      ],
      fromRow: { version: 'version' },
    });
    if (rows.length === 1) return toStep(rows[0]);

    // Nothing matched: say why, from what is there now.
    await this.#runForChange(runId, by, this.#db, { lock: false });
    const step = await this.store.getStep(runId, stepId);
    if (!step) throw new NotFoundError(`Run ${runId} has no step ${stepId}`);
    throw new StepVersionConflictError(
      step.version === body.expectedVersion
        ? `Step ${stepId} changed while it was being written (now ${describeStep(
            step,
          )}); try again`
        : `Step ${stepId} is at ${describeStep(step)}, not version ${
            body.expectedVersion
          }: reload it and try again`,
      step,
    );
  }

  /**
   * Marks a checkpoint reached now, once: passed when reached within its
   * target minutes from the start of the run.
   */
  async reachCheckpoint(
    runId: string,
    checkpointId: string,
    actor: string,
  ): Promise<RunCheckpoint> {
    const by = actorRef(actor);
    return this.#db.transaction(async tx => {
      const { run } = await this.#runForChange(runId, by, tx);
      const checkpoint = await this.store.getCheckpoint(
        runId,
        checkpointId,
        tx,
      );
      if (!checkpoint) {
        throw new NotFoundError(
          `Run ${runId} has no checkpoint ${checkpointId}`,
        );
      }
      const at = this.#now();
      if (
        checkpoint.reachedAt !== null ||
        !(await this.store.reachCheckpoint(runId, checkpointId, by, at, tx))
      ) {
        const now = await this.store.getCheckpoint(runId, checkpointId, tx);
        throw new ConflictError(
          `Checkpoint ${checkpointId} of run ${runId} was reached already, at ${now?.reachedAt} by ${now?.reachedBy}`,
        );
      }
      const timed = timeCheckpoint(
        { ...checkpoint, reachedAt: at.toISOString(), reachedBy: by },
        run.startedAt,
      );
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.checkpoint_reached',
        actor: by,
        at,
        data: {
          checkpointId,
          elapsedMinutes: timed.elapsedMinutes,
          targetMinutes: timed.targetMinutes,
          passed: timed.passed,
        },
      });
      return timed;
    });
  }

  /** A participant's note on a step of a running run. */
  async addNote(
    runId: string,
    stepId: string,
    text: string,
    actor: string,
  ): Promise<StepNote> {
    const body = parseInput(noteBodySchema, { text });
    const by = actorRef(actor);
    return this.#db.transaction(async tx => {
      await this.#runForChange(runId, by, tx);
      await this.#requireStep(runId, stepId, tx);
      const at = this.#now();
      const note = await this.store.insertNote(
        {
          id: this.#newId(),
          runId,
          stepId,
          author: by,
          text: body.text,
          createdAt: at,
        },
        tx,
      );
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.note_added',
        actor: by,
        at,
        data: { stepId, noteId: note.id },
      });
      return note;
    });
  }

  /**
   * Records a file attached to a step of a running run. The bytes are
   * already in the blob store under `blobKey`; this keeps their metadata.
   */
  async addAttachment(
    runId: string,
    stepId: string,
    file: NewAttachment,
    actor: string,
  ): Promise<StepAttachment> {
    const metadata = parseInput(attachmentMetadataSchema, file);
    const by = actorRef(actor);
    return this.#db.transaction(async tx => {
      await this.#runForChange(runId, by, tx);
      await this.#requireStep(runId, stepId, tx);
      const at = this.#now();
      const attachment = await this.store.insertAttachment(
        {
          ...metadata,
          id: this.#newId(),
          runId,
          stepId,
          uploadedBy: by,
          createdAt: at,
        },
        tx,
      );
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.attachment_added',
        actor: by,
        at,
        data: {
          stepId,
          attachmentId: attachment.id,
          sha256: attachment.sha256,
          sizeBytes: attachment.sizeBytes,
          mediaType: attachment.mediaType,
        },
      });
      return attachment;
    });
  }

  /**
   * Whether `actor` may change the step now (404, 403 or 409 when not), for
   * a caller that must know before it does work, such as reading an upload.
   */
  async checkCanChange(
    runId: string,
    stepId: string,
    actor: string,
  ): Promise<void> {
    await this.#runForChange(runId, actorRef(actor), this.#db, {
      lock: false,
    });
    if (!(await this.store.getStep(runId, stepId))) {
      throw new NotFoundError(`Run ${runId} has no step ${stepId}`);
    }
  }

  /** An attachment's metadata (for its download); NotFoundError when the run has none by that id. */
  async getAttachment(
    runId: string,
    attachmentId: string,
  ): Promise<StepAttachment> {
    const attachment = await this.store.getAttachment(runId, attachmentId);
    if (!attachment) {
      throw new NotFoundError(`Run ${runId} has no attachment ${attachmentId}`);
    }
    return attachment;
  }

  /** A follow-up found during a running run, with an owner and an optional due date. */
  async addActionItem(
    runId: string,
    item: { title: string; owner: string; dueDate?: string | null },
    actor: string,
  ): Promise<ActionItem> {
    const body = parseInput(actionItemBodySchema, item);
    const by = actorRef(actor);
    return this.#db.transaction(async tx => {
      await this.#runForChange(runId, by, tx);
      const at = this.#now();
      const created = await this.store.insertActionItem(
        {
          id: this.#newId(),
          runId,
          title: body.title,
          owner: body.owner,
          dueDate: body.dueDate ?? null,
          createdBy: by,
          createdAt: at,
        },
        tx,
      );
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.action_item_added',
        actor: by,
        at,
        data: {
          actionItemId: created.id,
          owner: created.owner,
          dueDate: created.dueDate,
        },
      });
      return created;
    });
  }

  /**
   * The lead or a coordinator adds someone to a running run, in any role
   * but lead (a run has the one lead named at start). 409 when they take
   * part already.
   */
  async addParticipant(
    runId: string,
    participant: { entityRef: string; role: ParticipantRole },
    actor: string,
  ): Promise<RunParticipant> {
    const body = parseInput(participantSchema, participant);
    if (body.role === 'lead') {
      throw new InputError(
        'A run has one lead, named when it starts; add others as coordinator, observer or scribe',
      );
    }
    const by = actorRef(actor);
    return this.#db.transaction(async tx => {
      const { role } = await this.#runForChange(runId, by, tx);
      if (role !== 'lead' && role !== 'coordinator') {
        throw new NotAllowedError(
          `Only the lead or a coordinator adds participants to run ${runId}; ${by} is ${role}`,
        );
      }
      const at = this.#now();
      if (!(await this.store.insertParticipant(runId, body, at, tx))) {
        const existing = await this.store.participantRole(
          runId,
          body.entityRef,
          tx,
        );
        throw new ConflictError(
          `${body.entityRef} takes part in run ${runId} already, as ${existing}`,
        );
      }
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.participant_added',
        actor: by,
        at,
        data: { entityRef: body.entityRef, role: body.role },
      });
      return { ...body, addedAt: at.toISOString() };
    });
  }

  /** The lead aborts a running run, with a reason of at least ten characters. */
  async abort(runId: string, reason: string, actor: string): Promise<RunView> {
    const body = parseInput(abortBodySchema, { reason });
    const by = actorRef(actor);
    await this.#db.transaction(async tx => {
      await this.#runForLead(runId, by, 'abort', tx);
      const at = this.#now();
      await this.#end(
        runId,
        { state: 'aborted', at, by, reason: body.reason },
        tx,
      );
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.aborted',
        actor: by,
        at,
        data: { reason: body.reason },
      });
    });
    return this.get(runId);
  }

  /**
   * The lead finishes a running run: finished now, the report rendered and
   * stored, `onFinished` run, and the audit event, all in one transaction.
   */
  async finish(runId: string, actor: string): Promise<RunView> {
    const by = actorRef(actor);
    const finished = await this.#db.transaction(async tx => {
      await this.#runForLead(runId, by, 'finish', tx);
      const at = this.#now();
      await this.#end(runId, { state: 'finished', at, by }, tx);
      const view = (await this.store.getView(runId, tx))!;
      if (this.#renderReport) {
        const markdown = this.#renderReport(view);
        await this.store.setReport(runId, markdown, tx);
        view.reportMarkdown = markdown;
        view.hasReport = true;
      }
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.finished',
        actor: by,
        at,
        data: {
          durationMinutes: minutesBetween(view.startedAt, at),
          steps: view.progress.steps,
          stepsChecked: view.progress.checked,
          checkpoints: view.checkpoints.length,
          checkpointsPassed: view.checkpoints.filter(c => c.passed).length,
          actionItems: view.actionItems.length,
        },
      });
      await this.#onFinished?.(view, tx);
      return view;
    });
    finished.evidence = await this.#evidenceFiling(runId);
    return finished;
  }

  /** Everything about a run; NotFoundError when there is none. */
  async get(runId: string): Promise<RunView> {
    const view = await this.store.getView(runId);
    if (!view) throw new NotFoundError(`No drill run ${runId}`);
    if (view.state === 'finished') {
      view.evidence = await this.#evidenceFiling(runId);
    }
    return view;
  }

  /** Where the evidence filing of a finished run stands. */
  async #evidenceFiling(runId: string): Promise<RunEvidenceFiling | null> {
    const [itemId, delivery] = await Promise.all([
      this.store.evidenceItemOf(runId),
      this.#outbox?.getByKey(evidenceDeliveryKey(runId)),
    ]);
    const attempts = delivery?.attempts ?? 0;
    if (itemId) return { state: 'filed', itemId, attempts, lastError: null };
    // Filing is off (or the run finished before it was on).
    if (!delivery) return null;
    return {
      state: delivery?.state === 'dead' ? 'failed' : 'pending',
      itemId: null,
      attempts,
      lastError: delivery?.lastError ?? null,
    };
  }

  /** The evidence plugin holds the finished run as `itemId` (called by the filing's deliverer). */
  async recordEvidenceFiled(runId: string, itemId: string): Promise<void> {
    const at = this.#now();
    await this.#db.transaction(async tx => {
      if (await this.store.evidenceItemOf(runId, tx)) return;
      await this.store.insertEvidenceFiling(runId, itemId, at, tx);
      await this.#record(tx, {
        recordId: runId,
        type: 'drill.evidence_filed',
        actor: 'service:drills',
        at,
        data: { itemId },
      });
    });
  }

  /**
   * A heartbeat of someone looking at a run (any signed-in reader): answers
   * who is looking now, and whether this person just arrived.
   */
  async heartbeat(
    runId: string,
    actor: string,
  ): Promise<{ viewers: RunViewer[]; arrived: boolean }> {
    const by = actorRef(actor);
    await this.#getRecord(runId, this.#db);
    const at = this.#now();
    const since = new Date(at.getTime() - PRESENCE_WINDOW_MS);
    const arrived = await this.presence.touch(runId, by, at, since);
    return { viewers: await this.presence.viewers(runId, since), arrived };
  }

  /**
   * The actor closed the run (left the page, hid the tab): they are no
   * longer shown as looking. Only ever the actor's own presence. Answers
   * whether they were shown, so that the others are told only then.
   */
  async leave(runId: string, actor: string): Promise<{ left: boolean }> {
    const by = actorRef(actor);
    await this.#getRecord(runId, this.#db);
    const since = new Date(this.#now().getTime() - PRESENCE_WINDOW_MS);
    return { left: await this.presence.remove(runId, by, since) };
  }

  /**
   * A page of runs: newest start first, or with `state: 'finished'` by
   * finish time then id (map those with `toContractItem` for the evidence
   * plugin).
   */
  list(filter: RunListFilter, page: PageQuery): Promise<Page<RunListItem>> {
    return this.store.list(filter, page);
  }

  /** Time to detect, respond and recover and the checkpoint pass rate, per scenario, over finished runs. */
  async history(scenarioId?: string): Promise<ScenarioHistory[]> {
    return summarizeHistory(await this.store.finishedRuns(scenarioId));
  }

  /** Records the override of a month of the calendar (replacing an earlier one), with an audit event. */
  async recordOverride(
    override: NewCalendarOverride,
    actor: string,
  ): Promise<CalendarOverride> {
    const body = parseInput(overrideBodySchema, override);
    const by = actorRef(actor);
    return this.#db.transaction(async tx => {
      const at = this.#now();
      const previous = await this.overrides.get(body.month, tx);
      const recorded = await this.overrides.record(
        {
          month: body.month,
          kind: body.kind,
          scenarioId: body.scenarioId ?? null,
          date: body.date ?? null,
          reason: body.reason,
          recordedBy: by,
          recordedAt: at,
        },
        tx,
      );
      await this.#record(tx, {
        recordId: `calendar-${body.month}`,
        type: 'drill.calendar_override',
        actor: by,
        at,
        data: {
          month: recorded.month,
          kind: recorded.kind,
          scenarioId: recorded.scenarioId,
          date: recorded.date,
          reason: recorded.reason,
          replaces: previous?.kind ?? null,
        },
      });
      return recorded;
    });
  }

  /** The calendar's overrides by month; both bounds (YYYY-MM) inclusive. */
  listOverrides(
    range: { fromMonth?: string; toMonth?: string } = {},
  ): Promise<CalendarOverride[]> {
    return this.overrides.list(range);
  }

  async #refuseHeldMonth(month: string): Promise<void> {
    const holder = await this.store.runHoldingMonth(month);
    if (holder) {
      throw new ConflictError(
        `${month} already has drill run ${holder.id} (${holder.scenarioId}, ${holder.state}); abort it first to start another`,
      );
    }
  }

  /**
   * The run, checked for a change by `actor`: it exists (404), the actor
   * takes part (403) and it is running (409). In a transaction on
   * PostgreSQL the run row is share-locked, so it cannot finish or abort
   * before the change commits.
   */
  async #runForChange(
    runId: string,
    actor: string,
    tx: Knex | Knex.Transaction,
    options: { lock: boolean } = { lock: true },
  ): Promise<{ run: RunRecord; role: Role }> {
    const run = await this.#getRecord(
      runId,
      tx,
      options.lock ? 'share' : undefined,
    );
    const role = await this.store.participantRole(runId, actor, tx);
    if (!role) {
      throw new NotAllowedError(`${actor} takes no part in run ${runId}`);
    }
    if (run.state !== 'running') {
      throw new ConflictError(
        `Run ${runId} is ${run.state}: it can no longer change`,
      );
    }
    return { run, role };
  }

  async #runForLead(
    runId: string,
    actor: string,
    what: 'finish' | 'abort',
    tx: Knex.Transaction,
  ): Promise<RunRecord> {
    const run = await this.#getRecord(runId, tx, 'update');
    const role = await this.store.participantRole(runId, actor, tx);
    if (role !== 'lead') {
      throw new NotAllowedError(
        `Only the lead of run ${runId} (${run.lead}) may ${what} it`,
      );
    }
    if (run.state !== 'running') {
      throw new ConflictError(
        `Run ${runId} is ${run.state}: it cannot ${what}`,
      );
    }
    return run;
  }

  async #getRecord(
    runId: string,
    tx: Knex | Knex.Transaction,
    lock?: 'share' | 'update',
  ): Promise<RunRecord> {
    if (lock && this.#postgres) {
      const query = tx('drill_runs').select('id').where({ id: runId });
      await (lock === 'share' ? query.forShare() : query.forUpdate());
    }
    const run = await this.store.getRecord(runId, tx);
    if (!run) throw new NotFoundError(`No drill run ${runId}`);
    return run;
  }

  async #requireStep(runId: string, stepId: string, tx: Knex.Transaction) {
    if (!(await this.store.getStep(runId, stepId, tx))) {
      throw new NotFoundError(`Run ${runId} has no step ${stepId}`);
    }
  }

  async #end(
    runId: string,
    end: Parameters<RunStore['endRun']>[1],
    tx: Knex.Transaction,
  ): Promise<void> {
    if (!(await this.store.endRun(runId, end, tx))) {
      const run = await this.store.getRecord(runId, tx);
      throw new ConflictError(
        `Run ${runId} is ${run?.state}: it ended already`,
      );
    }
  }

  #record(tx: Knex.Transaction, entry: AuditEntry): Promise<void> {
    return this.#audit.enqueue([entry], tx);
  }
}
