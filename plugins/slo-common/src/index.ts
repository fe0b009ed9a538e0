/**
 * Types and permissions shared by the SLO plugin's frontend and backend.
 *
 * @packageDocumentation
 */
import { createPermission } from '@backstage/plugin-permission-common';
import { sloSamplesPushPermission } from './samples';

export * from './samples';

/** Catalog annotation naming a service's SLO file (OpenSLO). */
export const SLO_OBJECTIVES_ANNOTATION = 'slo.ops.portal/objectives';

export const sloReadPermission = createPermission({
  name: 'slo.objective.read',
  attributes: { action: 'read' },
});

/** Create, change or silence objectives and their alerts. */
export const sloManagePermission = createPermission({
  name: 'slo.objective.manage',
  attributes: { action: 'update' },
});

export const sloPermissions = [
  sloReadPermission,
  sloManagePermission,
  sloSamplesPushPermission,
];

export * from './evaluation';
export * from './objectives';
export * from './api';
export * from './externalAlerts';
