/** What a run can be: running until its lead finishes or aborts it. */
export const RUN_STATES = ['running', 'finished', 'aborted'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** Roles of the people in a run; exactly one lead, named at start. */
export const PARTICIPANT_ROLES = [
  'lead',
  'coordinator',
  'observer',
  'scribe',
] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** Changes to the computed calendar of one month. */
export const OVERRIDE_KINDS = ['skip', 'swap', 'reschedule'] as const;
export type OverrideKind = (typeof OVERRIDE_KINDS)[number];

/** The shortest reason an abort or a calendar override takes (trimmed). */
export const MIN_REASON_LENGTH = 10;

/** The parts of a scenario a run copies in at start. */
export interface ScenarioSnapshot {
  id: string;
  title: string;
  checkpoints: Array<{
    id: string;
    title: string;
    targetMinutes: number;
    phase: string;
  }>;
  /** In runbook order; steps keep their order within a phase. */
  phases: Array<{ phase: string; steps: Array<{ id: string; text: string }> }>;
}

export interface StartRunInput {
  scenario: ScenarioSnapshot;
  /** Entity ref of the lead; becomes a participant with role lead. */
  lead: string;
  /** Everyone else; the role lead is taken by `lead`. */
  participants?: Array<{ entityRef: string; role: ParticipantRole }>;
  /** YYYY-MM when the run is that month's calendar drill. */
  calendarMonth?: string | null;
  startedBy: string;
}

/** A run's own row. Times are ISO 8601. */
export interface RunRecord {
  id: string;
  scenarioId: string;
  title: string;
  calendarMonth: string | null;
  state: RunState;
  lead: string;
  startedAt: string;
  finishedAt: string | null;
  abortedAt: string | null;
  abortReason: string | null;
  /** Who finished or aborted it. */
  endedBy: string | null;
  createdBy: string;
}

export interface RunParticipant {
  entityRef: string;
  role: ParticipantRole;
  addedAt: string;
}

export interface RunStep {
  id: string;
  phase: string;
  position: number;
  text: string;
  checked: boolean;
  /** 0 until first changed; every change raises it by one. */
  version: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface RunPhase {
  phase: string;
  steps: RunStep[];
}

export interface RunCheckpoint {
  id: string;
  title: string;
  phase: string;
  targetMinutes: number;
  position: number;
  reachedAt: string | null;
  reachedBy: string | null;
  /** Minutes from the start of the run to reaching it (two decimals); null until reached. */
  elapsedMinutes: number | null;
  /** Reached within its target; false until reached. */
  passed: boolean;
}

export interface StepNote {
  id: string;
  runId: string;
  stepId: string;
  author: string;
  text: string;
  createdAt: string;
}

export interface StepAttachment {
  id: string;
  runId: string;
  stepId: string;
  /** Where the bytes are in the blob store. */
  blobKey: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
}

/** The metadata of an attachment whose bytes are already in the blob store. */
export interface NewAttachment {
  blobKey: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
}

export interface ActionItem {
  id: string;
  runId: string;
  title: string;
  owner: string;
  /** YYYY-MM-DD */
  dueDate: string | null;
  createdBy: string;
  createdAt: string;
}

export interface RunProgress {
  steps: number;
  checked: number;
}

/** A run as a list shows it: enough for the evidence contract, without the checklist. */
export interface RunListItem extends RunRecord {
  hasReport: boolean;
  participants: RunParticipant[];
  checkpoints: RunCheckpoint[];
  actionItems: ActionItem[];
  progress: RunProgress;
}

/**
 * The evidence filing of a finished run: `pending` until the evidence
 * plugin has the item (retried while it is down), `filed` with its id,
 * `failed` when it was refused for good (see `lastError`).
 */
export interface RunEvidenceFiling {
  state: 'pending' | 'filed' | 'failed';
  /** The evidence item's id, once filed. */
  itemId: string | null;
  attempts: number;
  lastError: string | null;
}

/** Everything about one run. */
export interface RunView extends RunListItem {
  /** Null until the run has finished, and when it is not filed as evidence (filing off). */
  evidence: RunEvidenceFiling | null;
  reportMarkdown: string | null;
  phases: RunPhase[];
  notes: StepNote[];
  attachments: StepAttachment[];
}

export interface RunListFilter {
  state?: RunState;
  scenarioId?: string;
  /** Inclusive. */
  finishedAfter?: Date;
  /** Exclusive. */
  finishedBefore?: Date;
}

export interface CalendarOverride {
  /** YYYY-MM */
  month: string;
  kind: OverrideKind;
  /** The scenario run instead (swap). */
  scenarioId: string | null;
  /** YYYY-MM-DD in that month (reschedule). */
  date: string | null;
  reason: string;
  recordedBy: string;
  recordedAt: string;
}

export type NewCalendarOverride = Pick<
  CalendarOverride,
  'month' | 'kind' | 'reason'
> & { scenarioId?: string | null; date?: string | null };

/** One phase's last checkpoint in one finished run. */
export interface PhaseTiming {
  phase: string;
  checkpointId: string;
  targetMinutes: number;
  /** Null when the checkpoint was never reached. */
  minutes: number | null;
  passed: boolean;
}

export interface RunHistoryEntry {
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMinutes: number;
  /** In the order of the phases' last checkpoints. */
  phases: PhaseTiming[];
  timeToDetectMinutes: number | null;
  timeToRespondMinutes: number | null;
  timeToRecoverMinutes: number | null;
  checkpointsPassed: number;
  checkpointsTotal: number;
  /** passed / total; null without checkpoints. */
  passRate: number | null;
}

export interface ScenarioHistory {
  scenarioId: string;
  /** The title of its latest finished run. */
  title: string;
  /** Oldest first. */
  runs: RunHistoryEntry[];
  checkpointsPassed: number;
  checkpointsTotal: number;
  passRate: number | null;
}
