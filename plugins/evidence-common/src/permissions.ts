import { createPermission } from '@backstage/plugin-permission-common';

/** Read evidence, coverage, runs, exceptions and binders; download files. */
export const evidenceReadPermission = createPermission({
  name: 'evidence.item.read',
  attributes: { action: 'read' },
});

/** Upload a document as evidence. */
export const evidenceCreatePermission = createPermission({
  name: 'evidence.item.create',
  attributes: { action: 'create' },
});

/** Run a collector now (API, UI, scaffolder action). */
export const evidenceCollectorRunPermission = createPermission({
  name: 'evidence.collector.run',
  attributes: { action: 'create' },
});

/** Put evidence under legal hold or release it. */
export const evidenceLegalHoldPermission = createPermission({
  name: 'evidence.item.hold',
  attributes: { action: 'update' },
});

/** Delete evidence: only ever allowed after its retention date. */
export const evidenceDeletePermission = createPermission({
  name: 'evidence.item.delete',
  attributes: { action: 'delete' },
});

/** Record or revoke an exception for a point. */
export const evidenceExceptionPermission = createPermission({
  name: 'evidence.exception.manage',
  attributes: { action: 'create' },
});

/** Sign an access review off. */
export const evidenceSignOffPermission = createPermission({
  name: 'evidence.review.sign-off',
  attributes: { action: 'create' },
});

/** Build a binder for the auditor. */
export const evidenceBinderCreatePermission = createPermission({
  name: 'evidence.binder.create',
  attributes: { action: 'create' },
});

/**
 * Record a change (a rollback run from the portal) as change-management
 * evidence; in practice the scaffolder's service token.
 */
export const evidenceChangeRecordPermission = createPermission({
  name: 'evidence.change.record',
  attributes: { action: 'create' },
});

export const evidencePermissions = [
  evidenceReadPermission,
  evidenceCreatePermission,
  evidenceCollectorRunPermission,
  evidenceLegalHoldPermission,
  evidenceDeletePermission,
  evidenceExceptionPermission,
  evidenceSignOffPermission,
  evidenceBinderCreatePermission,
  evidenceChangeRecordPermission,
];
