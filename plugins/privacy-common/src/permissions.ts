import { createPermission } from '@backstage/plugin-permission-common';

/** Submit an export or erasure request, record consent. */
export const privacyRequestCreatePermission = createPermission({
  name: 'privacy.request.create',
  attributes: { action: 'create' },
});

/** See requests, their status, audit trail and SLA. */
export const privacyRequestReadPermission = createPermission({
  name: 'privacy.request.read',
  attributes: { action: 'read' },
});

/** Approve, cancel or retry a request (erasures need a second person). */
export const privacyRequestApprovePermission = createPermission({
  name: 'privacy.request.approve',
  attributes: { action: 'update' },
});

/** Download an export bundle. */
export const privacyExportDownloadPermission = createPermission({
  name: 'privacy.export.download',
  attributes: { action: 'read' },
});

/** Legal holds, deadline extensions, dead-letter handling. */
export const privacyAdminPermission = createPermission({
  name: 'privacy.admin',
  attributes: { action: 'update' },
});

export const privacyPermissions = [
  privacyRequestCreatePermission,
  privacyRequestReadPermission,
  privacyRequestApprovePermission,
  privacyExportDownloadPermission,
  privacyAdminPermission,
];
