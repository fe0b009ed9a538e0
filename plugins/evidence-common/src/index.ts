/**
 * Types and permissions shared by the evidence plugin's frontend and backend.
 *
 * @packageDocumentation
 */
import { createPermission } from '@backstage/plugin-permission-common';

/** SOC 2 Trust Services Criteria, common criteria CC1-CC9. */
export const TSC_CRITERIA = [
  { id: 'CC1', title: 'Control environment' },
  { id: 'CC2', title: 'Communication and information' },
  { id: 'CC3', title: 'Risk assessment' },
  { id: 'CC4', title: 'Monitoring activities' },
  { id: 'CC5', title: 'Control activities' },
  { id: 'CC6', title: 'Logical and physical access controls' },
  { id: 'CC7', title: 'System operations' },
  { id: 'CC8', title: 'Change management' },
  { id: 'CC9', title: 'Risk mitigation' },
] as const;
export type CriterionId = (typeof TSC_CRITERIA)[number]['id'];
export const CRITERION_IDS = TSC_CRITERIA.map(c => c.id) as [
  CriterionId,
  ...CriterionId[],
];

export const evidenceReadPermission = createPermission({
  name: 'evidence.item.read',
  attributes: { action: 'read' },
});

/** File evidence, run collectors. */
export const evidenceCreatePermission = createPermission({
  name: 'evidence.item.create',
  attributes: { action: 'create' },
});

/** Build a binder for the auditor. */
export const evidenceBinderCreatePermission = createPermission({
  name: 'evidence.binder.create',
  attributes: { action: 'create' },
});

export const evidencePermissions = [
  evidenceReadPermission,
  evidenceCreatePermission,
  evidenceBinderCreatePermission,
];

export interface EvidenceItem {
  id: string;
  criterion: CriterionId;
  title: string;
  source: string;
  sha256: string;
  collectedAt: string;
  retainUntil: string;
}

/** Coverage of one criterion, computed from evidence rows. */
export interface CriterionCoverage {
  id: CriterionId;
  title: string;
  itemCount: number;
  /** Newest evidence for the criterion, if any. */
  lastCollectedAt: string | null;
}
