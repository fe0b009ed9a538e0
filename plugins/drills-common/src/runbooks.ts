/** The phases of a scenario, in the order a drill goes through them. */
export const RUNBOOK_PHASES = [
  'detect',
  'respond',
  'recover',
  'follow-up',
] as const;
export type RunbookPhaseId = (typeof RUNBOOK_PHASES)[number];

/** The `##` heading that opens each phase in a runbook's body. */
export const RUNBOOK_PHASE_HEADINGS: Record<RunbookPhaseId, string> = {
  detect: 'Detect',
  respond: 'Respond',
  recover: 'Recover',
  'follow-up': 'Follow-up',
};

export const RUNBOOK_KINDS = ['scenario', 'procedure'] as const;
/** `scenario`: drilled in the monthly rotation; `procedure`: a reference runbook. */
export type RunbookKind = (typeof RUNBOOK_KINDS)[number];

export const RUNBOOK_SEVERITIES = ['SEV1', 'SEV2', 'SEV3'] as const;
export type RunbookSeverity = (typeof RUNBOOK_SEVERITIES)[number];

/** The roles every scenario names; a scenario may add its own. */
export const BASE_DRILL_ROLES = [
  'lead',
  'coordinator',
  'observer',
  'scribe',
] as const;

export interface RunbookCheckpoint {
  id: string;
  title: string;
  /** Target time from the start of the drill, in minutes. */
  targetMinutes: number;
  phase: RunbookPhaseId;
}

export interface RunbookStep {
  /** `<phase>-<n>`, numbered from 1 within the phase, e.g. `respond-2`. */
  id: string;
  text: string;
  /** The role that does the step, from `(role: <name>)`. */
  role?: string;
  /** The checkpoint the step reaches, from `[checkpoint: <id>]`. */
  checkpoint?: string;
  /** 1-based line of the step in the file. */
  line: number;
}

export interface RunbookPhase {
  phase: RunbookPhaseId;
  steps: RunbookStep[];
}

export interface Runbook {
  id: string;
  kind: RunbookKind;
  title: string;
  /** Names of catalog Components the runbook exercises. */
  services: string[];
  /** Always set for a scenario; optional for a procedure. */
  severity?: RunbookSeverity;
  /** Entity ref of the owning group, e.g. `group:default/drill-leads`. */
  owner: string;
  roles: string[];
  checkpoints: RunbookCheckpoint[];
  /** A scenario has all four phases in order; a procedure only those it uses. */
  phases: RunbookPhase[];
  /** The body after the front matter, for the viewer. */
  markdown: string;
  /** 1-based file line of the first line of `markdown`. */
  markdownLine: number;
  /** The file name the runbook was read from. */
  file: string;
}

export interface RunbookProblem {
  file: string;
  /** 1-based line in the file. */
  line: number;
  message: string;
  /**
   * `error`: the runbook is not loaded. `warning`: it loads, but something
   * should be fixed (e.g. a checkpoint no step reaches).
   */
  level: 'error' | 'warning';
}

export interface RunbookParseOptions {
  /**
   * Names of the catalog Components runbooks may list in `services`. When
   * given, any other name is a problem; when absent, only the form of the
   * name is checked.
   */
  knownServices?: Iterable<string>;
}
