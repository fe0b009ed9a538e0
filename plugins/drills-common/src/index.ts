/**
 * Types and permissions shared by the drills plugin's frontend and backend.
 *
 * @packageDocumentation
 */
import { createPermission } from '@backstage/plugin-permission-common';

export * from './contract';

export const drillsReadPermission = createPermission({
  name: 'drills.run.read',
  attributes: { action: 'read' },
});

/** Start a run, check off steps, publish the report. */
export const drillsManagePermission = createPermission({
  name: 'drills.run.manage',
  attributes: { action: 'update' },
});

export const drillsPermissions = [drillsReadPermission, drillsManagePermission];

export const DRILL_RUN_STATES = [
  'scheduled',
  'running',
  'completed',
  'abandoned',
] as const;
export type DrillRunState = (typeof DRILL_RUN_STATES)[number];

export interface DrillRun {
  id: string;
  scenarioId: string;
  state: DrillRunState;
  lead: string;
  scheduledFor: string;
  startedAt: string | null;
  completedAt: string | null;
}
