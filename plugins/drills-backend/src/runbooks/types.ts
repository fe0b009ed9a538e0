// The runbook types are the API's, shared with the frontend.
export {
  BASE_DRILL_ROLES,
  RUNBOOK_KINDS,
  RUNBOOK_PHASES,
  RUNBOOK_PHASE_HEADINGS,
  RUNBOOK_SEVERITIES,
} from '@internal/plugin-drills-common';
export type {
  Runbook,
  RunbookCheckpoint,
  RunbookKind,
  RunbookParseOptions,
  RunbookPhase,
  RunbookPhaseId,
  RunbookProblem,
  RunbookSeverity,
  RunbookStep,
} from '@internal/plugin-drills-common';
