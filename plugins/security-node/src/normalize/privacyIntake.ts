import type { EcsDocument } from '../correlation/types';

/** `event.action` of an access line that created (or repeated) a DSAR. */
export const PRIVACY_INTAKE_ACTION = 'privacy.request.created';

/** The privacy plugin's DSAR intake routes. */
const PRIVACY_INTAKE = /^\/api\/privacy\/(export|delete)\/?$/;

/**
 * Marks an access line of a 2xx `POST /api/privacy/export|delete` with
 * `event.action: privacy.request.created`: a new privacy request, from the
 * line's client address (the privacy plugin's `request.received` audit
 * event has no address). The DSAR abuse rule counts them. Leaves a document
 * that already names an action alone.
 */
export function markPrivacyIntake(doc: EcsDocument): void {
  const status = Number(doc.http?.response?.status_code);
  const path = doc.url?.path;
  if (
    doc.http?.request?.method === 'POST' &&
    status >= 200 &&
    status < 300 &&
    typeof path === 'string' &&
    PRIVACY_INTAKE.test(path) &&
    doc.event &&
    !doc.event.action
  ) {
    doc.event.action = PRIVACY_INTAKE_ACTION;
  }
}
