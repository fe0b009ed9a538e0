export {
  PRESENCE_WINDOW_MS,
  RunService,
  StepVersionConflictError,
  evidenceDeliveryKey,
} from './RunService';
export { PresenceStore } from './PresenceStore';
export type { RunServiceOptions } from './RunService';
export { RunStore } from './RunStore';
export type { NewRun } from './RunStore';
export { OverrideStore } from './OverrideStore';
export { toContractItem } from './contract';
export type { EvidenceDrillRun } from './contract';
export {
  minutesBetween,
  phaseTimings,
  summarizeHistory,
  timeCheckpoint,
} from './timing';
export type { CheckpointFacts, FinishedRunFacts } from './timing';
export * from './schemas';
export * from './types';

/** The drills audit chain's tables, as the migration creates them. */
export const DRILLS_AUDIT_TABLES = {
  events: 'drills_audit_events',
  pending: 'drills_audit_pending',
} as const;

/** The drills outbox table, as the migration creates it. */
export const DRILLS_OUTBOX_TABLE = 'drills_outbox';
