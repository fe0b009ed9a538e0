import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The resource type of a DSAR request, for conditional permission decisions:
 * a policy may allow a `privacy-request` permission for some requests only
 * (by region, requester or owning group; the rules are the privacy
 * backend's `privacyRequestConditions`). A resource ref is a request id.
 */
export const PRIVACY_REQUEST_RESOURCE_TYPE = 'privacy-request';

/** Submit an export or erasure request, record consent. */
export const privacyRequestCreatePermission = createPermission({
  name: 'privacy.request.create',
  attributes: { action: 'create' },
});

/**
 * See requests (lists, one request, its audit trail), without the subject's
 * id: that takes privacy.request.subject.read as well. Conditional per request.
 */
export const privacyRequestReadPermission = createPermission({
  name: 'privacy.request.read',
  attributes: { action: 'read' },
  resourceType: PRIVACY_REQUEST_RESOURCE_TYPE,
});

/**
 * See the data subject's id of a request. Without it the API answers
 * `subjectId: null, subjectHidden: true` and the subject id is not decrypted.
 */
export const privacyRequestSubjectReadPermission = createPermission({
  name: 'privacy.request.subject.read',
  attributes: { action: 'read' },
  resourceType: PRIVACY_REQUEST_RESOURCE_TYPE,
});

/** Figures and set-up without personal data: the SLA report, the SLI, queue counts, source drift. */
export const privacyOverviewReadPermission = createPermission({
  name: 'privacy.overview.read',
  attributes: { action: 'read' },
});

/** Look up a subject's consent state and history (the caller names the subject). */
export const privacyConsentReadPermission = createPermission({
  name: 'privacy.consent.read',
  attributes: { action: 'read' },
});

/** Approve, cancel or retry a request (erasures need a second person). */
export const privacyRequestApprovePermission = createPermission({
  name: 'privacy.request.approve',
  attributes: { action: 'update' },
  resourceType: PRIVACY_REQUEST_RESOURCE_TYPE,
});

/**
 * Download (decrypt) the export bundle of a request. No CRUD action, as
 * Backstage does for operations that are none of them (catalog.entity.refresh,
 * scaffolder.action.execute): handing out a subject's personal data is not a
 * read of the request, and a policy that allows every `read` must not allow it.
 */
export const privacyExportDownloadPermission = createPermission({
  name: 'privacy.export.download',
  attributes: {},
  resourceType: PRIVACY_REQUEST_RESOURCE_TYPE,
});

/** Legal holds, deadline extensions, dead-letter handling. */
export const privacyAdminPermission = createPermission({
  name: 'privacy.admin',
  attributes: { action: 'update' },
});

export const privacyPermissions = [
  privacyRequestCreatePermission,
  privacyRequestReadPermission,
  privacyRequestSubjectReadPermission,
  privacyOverviewReadPermission,
  privacyConsentReadPermission,
  privacyRequestApprovePermission,
  privacyExportDownloadPermission,
  privacyAdminPermission,
];
