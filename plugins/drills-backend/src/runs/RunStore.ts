import {
  Page,
  PageQuery,
  isPostgres,
  readPage,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { CheckpointFacts, FinishedRunFacts, timeCheckpoint } from './timing';
import {
  ActionItem,
  NewAttachment,
  PARTICIPANT_ROLES,
  ParticipantRole,
  RunListFilter,
  RunListItem,
  RunParticipant,
  RunPhase,
  RunProgress,
  RunRecord,
  RunState,
  RunStep,
  RunView,
  StepAttachment,
  StepNote,
} from './types';

type Time = Date | string | number;
type Db = Knex | Knex.Transaction;

interface RunRow {
  id: string;
  scenario_id: string;
  title: string;
  calendar_month: string | null;
  state: RunState;
  lead: string;
  started_at: Time;
  finished_at: Time | null;
  aborted_at: Time | null;
  abort_reason: string | null;
  ended_by: string | null;
  report_markdown: string | null;
  created_by: string;
}

interface ParticipantRow {
  run_id: string;
  entity_ref: string;
  role: ParticipantRole;
  added_at: Time;
}

export interface StepRow {
  run_id: string;
  step_id: string;
  phase: string;
  position: number | string;
  text: string;
  checked: boolean | number;
  version: number | string;
  updated_by: string | null;
  updated_at: Time | null;
}

interface CheckpointRow {
  run_id: string;
  checkpoint_id: string;
  title: string;
  phase: string;
  target_minutes: number | string;
  position: number | string;
  reached_at: Time | null;
  reached_by: string | null;
}

interface NoteRow {
  id: string;
  run_id: string;
  step_id: string;
  author: string;
  text: string;
  created_at: Time;
}

interface AttachmentRow {
  id: string;
  run_id: string;
  step_id: string;
  blob_key: string;
  file_name: string;
  media_type: string;
  size_bytes: number | string;
  sha256: string;
  uploaded_by: string;
  created_at: Time;
}

interface ActionItemRow {
  id: string;
  run_id: string;
  title: string;
  owner: string;
  due_date: string | null;
  created_by: string;
  created_at: Time;
}

/** Rows per INSERT and ids per IN list, well below SQLite's bound-variable limit. */
const CHUNK = 100;

/** PostgreSQL returns Date, SQLite a number (or text): all become ISO text. */
const iso = (value: Time) => new Date(value).toISOString();
const isoOrNull = (value: Time | null | undefined) =>
  value === null || value === undefined ? null : iso(value);

const byTime = (a: Time, b: Time) =>
  new Date(a).getTime() - new Date(b).getTime();

function chunks<T>(values: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) {
    out.push(values.slice(i, i + CHUNK));
  }
  return out;
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    scenarioId: row.scenario_id,
    title: row.title,
    calendarMonth: row.calendar_month ?? null,
    state: row.state,
    lead: row.lead,
    startedAt: iso(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    abortedAt: isoOrNull(row.aborted_at),
    abortReason: row.abort_reason ?? null,
    endedBy: row.ended_by ?? null,
    createdBy: row.created_by,
  };
}

export function toStep(row: StepRow): RunStep {
  return {
    id: row.step_id,
    phase: row.phase,
    position: Number(row.position),
    text: row.text,
    checked: Boolean(Number(row.checked)),
    version: Number(row.version),
    updatedBy: row.updated_by ?? null,
    updatedAt: isoOrNull(row.updated_at),
  };
}

const toParticipant = (row: ParticipantRow): RunParticipant => ({
  entityRef: row.entity_ref,
  role: row.role,
  addedAt: iso(row.added_at),
});

const toCheckpointFacts = (row: CheckpointRow): CheckpointFacts => ({
  id: row.checkpoint_id,
  title: row.title,
  phase: row.phase,
  targetMinutes: Number(row.target_minutes),
  position: Number(row.position),
  reachedAt: isoOrNull(row.reached_at),
  reachedBy: row.reached_by ?? null,
});

const toNote = (row: NoteRow): StepNote => ({
  id: row.id,
  runId: row.run_id,
  stepId: row.step_id,
  author: row.author,
  text: row.text,
  createdAt: iso(row.created_at),
});

const toAttachment = (row: AttachmentRow): StepAttachment => ({
  id: row.id,
  runId: row.run_id,
  stepId: row.step_id,
  blobKey: row.blob_key,
  fileName: row.file_name,
  mediaType: row.media_type,
  sizeBytes: Number(row.size_bytes),
  sha256: row.sha256,
  uploadedBy: row.uploaded_by,
  createdAt: iso(row.created_at),
});

const toActionItem = (row: ActionItemRow): ActionItem => ({
  id: row.id,
  runId: row.run_id,
  title: row.title,
  owner: row.owner,
  dueDate: row.due_date ?? null,
  createdBy: row.created_by,
  createdAt: iso(row.created_at),
});

const roleRank = (role: ParticipantRole) => PARTICIPANT_ROLES.indexOf(role);

/** Lead first, then by role, then in the order they were added. */
const participantOrder = (a: ParticipantRow, b: ParticipantRow) =>
  roleRank(a.role) - roleRank(b.role) ||
  byTime(a.added_at, b.added_at) ||
  (a.entity_ref < b.entity_ref ? -1 : 1);

/** What `insertRun` writes. */
export interface NewRun {
  record: Omit<
    RunRecord,
    'finishedAt' | 'abortedAt' | 'abortReason' | 'endedBy' | 'startedAt'
  > & { startedAt: Date };
  participants: Array<{ entityRef: string; role: ParticipantRole }>;
  steps: Array<{ id: string; phase: string; position: number; text: string }>;
  checkpoints: Array<{
    id: string;
    title: string;
    phase: string;
    targetMinutes: number;
    position: number;
  }>;
}

/**
 * The run tables behind an interface: knex stays in here. Every method
 * takes the transaction it should run in, when there is one (on SQLite a
 * read outside it would wait for the transaction's connection).
 */
export class RunStore {
  constructor(private readonly db: Knex) {}

  async insertRun(run: NewRun, tx: Db = this.db): Promise<void> {
    const { record } = run;
    const at = record.startedAt;
    await tx('drill_runs').insert({
      id: record.id,
      scenario_id: record.scenarioId,
      title: record.title,
      calendar_month: record.calendarMonth,
      state: record.state,
      lead: record.lead,
      started_at: at,
      created_by: record.createdBy,
    });
    for (const part of chunks(run.participants)) {
      await tx('drill_participants').insert(
        part.map(p => ({
          run_id: record.id,
          entity_ref: p.entityRef,
          role: p.role,
          added_at: at,
        })),
      );
    }
    for (const part of chunks(run.steps)) {
      await tx('drill_steps').insert(
        part.map(s => ({
          run_id: record.id,
          step_id: s.id,
          phase: s.phase,
          position: s.position,
          text: s.text,
          checked: false,
          version: 0,
        })),
      );
    }
    for (const part of chunks(run.checkpoints)) {
      await tx('drill_checkpoints').insert(
        part.map(c => ({
          run_id: record.id,
          checkpoint_id: c.id,
          title: c.title,
          phase: c.phase,
          target_minutes: c.targetMinutes,
          position: c.position,
        })),
      );
    }
  }

  async getRecord(
    runId: string,
    tx: Db = this.db,
  ): Promise<(RunRecord & { reportMarkdown: string | null }) | undefined> {
    const row: RunRow | undefined = await tx<RunRow>('drill_runs')
      .where({ id: runId })
      .first();
    return row
      ? { ...toRecord(row), reportMarkdown: row.report_markdown ?? null }
      : undefined;
  }

  /** A run that holds its calendar month (running or finished), if any. */
  async runHoldingMonth(
    month: string,
    tx: Db = this.db,
  ): Promise<RunRecord | undefined> {
    const row: RunRow | undefined = await tx<RunRow>('drill_runs')
      .where({ calendar_month: month })
      .whereNot({ state: 'aborted' })
      .first();
    return row ? toRecord(row) : undefined;
  }

  async participantRole(
    runId: string,
    entityRef: string,
    tx: Db = this.db,
  ): Promise<ParticipantRole | undefined> {
    const row: Pick<ParticipantRow, 'role'> | undefined = await tx(
      'drill_participants',
    )
      .select('role')
      .where({ run_id: runId, entity_ref: entityRef })
      .first();
    return row?.role;
  }

  /** Everything about one run. */
  async getView(runId: string, tx: Db = this.db): Promise<RunView | undefined> {
    const record = await this.getRecord(runId, tx);
    if (!record) return undefined;
    // One after another: on PostgreSQL `tx` may be a transaction's single
    // connection, which runs one query at a time.
    const participants = await tx<ParticipantRow>('drill_participants').where({
      run_id: runId,
    });
    const steps = await tx<StepRow>('drill_steps')
      .where({ run_id: runId })
      .orderBy('position');
    const checkpoints = await tx<CheckpointRow>('drill_checkpoints')
      .where({ run_id: runId })
      .orderBy('position');
    const notes = await tx<NoteRow>('drill_step_notes')
      .where({ run_id: runId })
      .orderBy([{ column: 'created_at' }, { column: 'id' }]);
    const attachments = await tx<AttachmentRow>('drill_step_attachments')
      .where({ run_id: runId })
      .orderBy([{ column: 'created_at' }, { column: 'id' }]);
    const actionItems = await tx<ActionItemRow>('drill_action_items')
      .where({ run_id: runId })
      .orderBy([{ column: 'created_at' }, { column: 'id' }]);
    const phases: RunPhase[] = [];
    for (const step of (steps as StepRow[]).map(toStep)) {
      const last = phases[phases.length - 1];
      if (last && last.phase === step.phase) last.steps.push(step);
      else phases.push({ phase: step.phase, steps: [step] });
    }
    return {
      ...record,
      hasReport: record.reportMarkdown !== null,
      participants: (participants as ParticipantRow[])
        .sort(participantOrder)
        .map(toParticipant),
      checkpoints: (checkpoints as CheckpointRow[]).map(row =>
        timeCheckpoint(toCheckpointFacts(row), record.startedAt),
      ),
      actionItems: (actionItems as ActionItemRow[]).map(toActionItem),
      progress: {
        steps: steps.length,
        checked: phases.reduce(
          (n, p) => n + p.steps.filter(s => s.checked).length,
          0,
        ),
      },
      phases,
      notes: (notes as NoteRow[]).map(toNote),
      attachments: (attachments as AttachmentRow[]).map(toAttachment),
      // Filled in by RunService, which knows the outbox.
      evidence: null,
    };
  }

  async insertEvidenceFiling(
    runId: string,
    itemId: string,
    at: Date,
    tx: Db = this.db,
  ): Promise<void> {
    await tx('drill_evidence_filings').insert({
      run_id: runId,
      item_id: itemId,
      filed_at: at,
    });
  }

  /** The evidence item a finished run was filed as, once it was. */
  async evidenceItemOf(runId: string, tx: Db = this.db) {
    const row = await tx('drill_evidence_filings')
      .where({ run_id: runId })
      .first();
    return row?.item_id as string | undefined;
  }

  /**
   * A page of runs, newest start first; with `state: 'finished'` ordered by
   * finish time then id, oldest first (what the evidence collector pages
   * through). `finishedAfter` is inclusive, `finishedBefore` exclusive.
   */
  async list(
    filter: RunListFilter,
    page: PageQuery,
  ): Promise<Page<RunListItem>> {
    const query = this.db('drill_runs');
    if (filter.state) query.where('state', filter.state);
    if (filter.scenarioId) query.where('scenario_id', filter.scenarioId);
    if (filter.finishedAfter) {
      query.where('finished_at', '>=', filter.finishedAfter);
    }
    if (filter.finishedBefore) {
      query.where('finished_at', '<', filter.finishedBefore);
    }
    const orderBy: Array<{ column: string; order: 'asc' | 'desc' }> =
      filter.state === 'finished'
        ? [
            { column: 'finished_at', order: 'asc' },
            { column: 'id', order: 'asc' },
          ]
        : [
            { column: 'started_at', order: 'desc' },
            { column: 'id', order: 'desc' },
          ];
    const records = await readPage<RunRow, RunRow>(query, page, {
      orderBy,
      toItem: row => row,
    });
    return {
      ...records,
      items: await this.#listItems(records.items),
    };
  }

  /** The list items of some runs: their participants, checkpoints, action items and progress. */
  async #listItems(rows: RunRow[], tx: Db = this.db): Promise<RunListItem[]> {
    const ids = rows.map(row => row.id);
    const [participants, checkpoints, actionItems, progress] =
      await Promise.all([
        this.#whereRunIn<ParticipantRow>(tx, 'drill_participants', ids),
        this.#whereRunIn<CheckpointRow>(tx, 'drill_checkpoints', ids),
        this.#whereRunIn<ActionItemRow>(tx, 'drill_action_items', ids),
        this.#progress(tx, ids),
      ]);
    return rows.map(row => {
      const record = toRecord(row);
      return {
        ...record,
        hasReport:
          row.report_markdown !== null && row.report_markdown !== undefined,
        participants: participants
          .filter(p => p.run_id === row.id)
          .sort(participantOrder)
          .map(toParticipant),
        checkpoints: checkpoints
          .filter(c => c.run_id === row.id)
          .sort((a, b) => Number(a.position) - Number(b.position))
          .map(c => timeCheckpoint(toCheckpointFacts(c), record.startedAt)),
        actionItems: actionItems
          .filter(a => a.run_id === row.id)
          .sort(
            (a, b) =>
              byTime(a.created_at, b.created_at) || (a.id < b.id ? -1 : 1),
          )
          .map(toActionItem),
        progress: progress.get(row.id) ?? { steps: 0, checked: 0 },
      };
    });
  }

  async #whereRunIn<Row>(tx: Db, table: string, ids: string[]): Promise<Row[]> {
    const out: Row[] = [];
    for (const part of chunks(ids)) {
      out.push(...((await tx(table).whereIn('run_id', part)) as Row[]));
    }
    return out;
  }

  async #progress(tx: Db, ids: string[]): Promise<Map<string, RunProgress>> {
    const out = new Map<string, RunProgress>();
    for (const part of chunks(ids)) {
      const rows: Array<{
        run_id: string;
        steps: number | string;
        checked: number | string | null;
      }> = await tx('drill_steps')
        .select('run_id')
        .count({ steps: '*' })
        .sum({ checked: tx.raw('CASE WHEN checked THEN 1 ELSE 0 END') })
        .whereIn('run_id', part)
        .groupBy('run_id');
      for (const row of rows) {
        out.set(row.run_id, {
          steps: Number(row.steps),
          checked: Number(row.checked ?? 0),
        });
      }
    }
    return out;
  }

  /**
   * The one statement that changes a step: it matches only when the step is
   * at `expectedVersion`, its run is running and `actor` takes part in it,
   * all checked by the database at the moment of the write. Returns the
   * changed row with its run's id as `id` (for `AuditChain.auditedWrite`).
   */
  setStepStatement(
    runId: string,
    stepId: string,
    change: { checked: boolean; expectedVersion: number },
    actor: string,
    at: Date,
  ): Knex.QueryBuilder {
    const db = this.db;
    const running = db('drill_runs')
      .select(db.raw('1'))
      .whereRaw('?? = ??', ['drill_runs.id', 'drill_steps.run_id'])
      .where('drill_runs.state', 'running');
    // On PostgreSQL the run row is share-locked: a finish or abort under way
    // (it holds the row) is waited for and then seen, and one cannot start
    // until this write commits. SQLite runs one writer at a time anyway.
    if (isPostgres(db)) running.forShare();
    return db('drill_steps')
      .where('drill_steps.run_id', runId)
      .where('drill_steps.step_id', stepId)
      .where('drill_steps.version', change.expectedVersion)
      .whereExists(running)
      .whereExists(
        db('drill_participants')
          .select(db.raw('1'))
          .whereRaw('?? = ??', [
            'drill_participants.run_id',
            'drill_steps.run_id',
          ])
          .where('drill_participants.entity_ref', actor),
      )
      .update({
        checked: change.checked,
        version: db.raw('?? + 1', ['version']),
        updated_by: actor,
        updated_at: at,
      })
      .returning(['*', 'run_id as id']);
  }

  async getStep(
    runId: string,
    stepId: string,
    tx: Db = this.db,
  ): Promise<RunStep | undefined> {
    const row: StepRow | undefined = await tx<StepRow>('drill_steps')
      .where({ run_id: runId, step_id: stepId })
      .first();
    return row ? toStep(row) : undefined;
  }

  async getCheckpoint(
    runId: string,
    checkpointId: string,
    tx: Db = this.db,
  ): Promise<CheckpointFacts | undefined> {
    const row: CheckpointRow | undefined = await tx<CheckpointRow>(
      'drill_checkpoints',
    )
      .where({ run_id: runId, checkpoint_id: checkpointId })
      .first();
    return row ? toCheckpointFacts(row) : undefined;
  }

  /** Marks a checkpoint reached unless it was already; returns whether it changed. */
  async reachCheckpoint(
    runId: string,
    checkpointId: string,
    by: string,
    at: Date,
    tx: Db = this.db,
  ): Promise<boolean> {
    const updated = await tx('drill_checkpoints')
      .where({ run_id: runId, checkpoint_id: checkpointId })
      .whereNull('reached_at')
      .update({ reached_at: at, reached_by: by });
    return updated === 1;
  }

  async insertNote(
    note: Omit<StepNote, 'createdAt'> & { createdAt: Date },
    tx: Db = this.db,
  ): Promise<StepNote> {
    await tx('drill_step_notes').insert({
      id: note.id,
      run_id: note.runId,
      step_id: note.stepId,
      author: note.author,
      text: note.text,
      created_at: note.createdAt,
    });
    return { ...note, createdAt: note.createdAt.toISOString() };
  }

  async insertAttachment(
    attachment: NewAttachment & {
      id: string;
      runId: string;
      stepId: string;
      uploadedBy: string;
      createdAt: Date;
    },
    tx: Db = this.db,
  ): Promise<StepAttachment> {
    await tx('drill_step_attachments').insert({
      id: attachment.id,
      run_id: attachment.runId,
      step_id: attachment.stepId,
      blob_key: attachment.blobKey,
      file_name: attachment.fileName,
      media_type: attachment.mediaType,
      size_bytes: attachment.sizeBytes,
      sha256: attachment.sha256,
      uploaded_by: attachment.uploadedBy,
      created_at: attachment.createdAt,
    });
    return { ...attachment, createdAt: attachment.createdAt.toISOString() };
  }

  async getAttachment(
    runId: string,
    attachmentId: string,
    tx: Db = this.db,
  ): Promise<StepAttachment | undefined> {
    const row: AttachmentRow | undefined = await tx<AttachmentRow>(
      'drill_step_attachments',
    )
      .where({ run_id: runId, id: attachmentId })
      .first();
    return row ? toAttachment(row) : undefined;
  }

  async insertActionItem(
    item: Omit<ActionItem, 'createdAt'> & { createdAt: Date },
    tx: Db = this.db,
  ): Promise<ActionItem> {
    await tx('drill_action_items').insert({
      id: item.id,
      run_id: item.runId,
      title: item.title,
      owner: item.owner,
      due_date: item.dueDate,
      created_by: item.createdBy,
      created_at: item.createdAt,
    });
    return { ...item, createdAt: item.createdAt.toISOString() };
  }

  /** Adds a participant; false when they take part already. */
  async insertParticipant(
    runId: string,
    participant: { entityRef: string; role: ParticipantRole },
    at: Date,
    tx: Db = this.db,
  ): Promise<boolean> {
    const inserted = await tx('drill_participants')
      .insert({
        run_id: runId,
        entity_ref: participant.entityRef,
        role: participant.role,
        added_at: at,
      })
      .onConflict(['run_id', 'entity_ref'])
      .ignore()
      .returning('entity_ref');
    return inserted.length === 1;
  }

  /**
   * Ends a running run (finished or aborted); returns whether it was
   * running, checked by the update itself.
   */
  async endRun(
    runId: string,
    end:
      | { state: 'finished'; at: Date; by: string }
      | { state: 'aborted'; at: Date; by: string; reason: string },
    tx: Db = this.db,
  ): Promise<boolean> {
    const updated = await tx('drill_runs')
      .where({ id: runId, state: 'running' })
      .update(
        end.state === 'finished'
          ? { state: 'finished', finished_at: end.at, ended_by: end.by }
          : {
              state: 'aborted',
              aborted_at: end.at,
              ended_by: end.by,
              abort_reason: end.reason,
            },
      );
    return updated === 1;
  }

  async setReport(
    runId: string,
    markdown: string,
    tx: Db = this.db,
  ): Promise<void> {
    await tx('drill_runs')
      .where({ id: runId })
      .update({ report_markdown: markdown });
  }

  /** Finished runs (of one scenario, or all) with their timed checkpoints. */
  async finishedRuns(scenarioId?: string): Promise<FinishedRunFacts[]> {
    const query = this.db<RunRow>('drill_runs')
      .select('id', 'scenario_id', 'title', 'started_at', 'finished_at')
      .where({ state: 'finished' })
      .orderBy([{ column: 'started_at' }, { column: 'id' }]);
    if (scenarioId) query.where({ scenario_id: scenarioId });
    const runs = (await query) as RunRow[];
    const checkpoints = await this.#whereRunIn<CheckpointRow>(
      this.db,
      'drill_checkpoints',
      runs.map(run => run.id),
    );
    return runs.map(run => {
      const startedAt = iso(run.started_at);
      return {
        id: run.id,
        scenarioId: run.scenario_id,
        title: run.title,
        startedAt,
        finishedAt: iso(run.finished_at!),
        checkpoints: checkpoints
          .filter(c => c.run_id === run.id)
          .sort((a, b) => Number(a.position) - Number(b.position))
          .map(c => timeCheckpoint(toCheckpointFacts(c), startedAt)),
      };
    });
  }
}
