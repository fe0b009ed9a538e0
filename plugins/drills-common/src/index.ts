/**
 * Types and permissions shared by the drills plugin's frontend and backend.
 *
 * @packageDocumentation
 */
import { createPermission } from '@backstage/plugin-permission-common';
import type { Runbook } from './runbooks';

export * from './calendar';
export * from './contract';
export * from './runbooks';
export * from './runs';

export const drillsReadPermission = createPermission({
  name: 'drills.run.read',
  attributes: { action: 'read' },
});

/**
 * Lead a run: start it, add participants, finish or abort it, and record
 * calendar skips and swaps. The run's own lead is checked by the backend too.
 */
export const drillsLeadPermission = createPermission({
  name: 'drills.run.lead',
  attributes: { action: 'update' },
});

/**
 * Take part in a run: check steps, reach checkpoints, add notes,
 * attachments and action items. The portal's policy grants it to every
 * signed-in user; the backend then allows it only to the run's participants.
 */
export const drillsParticipatePermission = createPermission({
  name: 'drills.run.participate',
  attributes: { action: 'update' },
});

export const drillsPermissions = [
  drillsReadPermission,
  drillsLeadPermission,
  drillsParticipatePermission,
];

/** The signals channel a run's changes are published on. */
export const drillRunChannel = (runId: string) => `drills:run:${runId}`;

/** What a run's channel carries: enough to know the run changed and who is looking. */
export type DrillRunSignal = {
  runId: string;
  /** e.g. `step`, `checkpoint`, `note`, `presence`, `finished`. */
  change: string;
  /** Entity ref of whoever made the change. */
  by: string;
  at: string;
};

/** A runbook as the list shows it: without its body and steps. */
export type RunbookSummary = Omit<Runbook, 'markdown' | 'phases'> & {
  stepCount: number;
};

/** Who has the run open now (heartbeats within the last 30 s). */
export interface RunViewer {
  entityRef: string;
  seenAt: string;
}
