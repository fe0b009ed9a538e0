import type { AuditEntry } from '@internal/plugin-ops-node';
import type { DsarRequest } from '@internal/plugin-privacy-common';

/** The audit type of a read that showed subject ids (ECS: database access). */
export const SUBJECT_REVEALED = 'subject.revealed';

/**
 * The `subject.revealed` event of one read that shows `shown` to `actor`,
 * or undefined when it shows no subject id (hidden from the caller, or an
 * empty page). Its data holds the ids of the requests whose subject was
 * shown, their count and, when they are all one subject, that subject's
 * lookup hash (`hash`): never the subject id itself. `recordId` is the
 * request when there is exactly one, so it joins that request's trail.
 */
export function subjectRevealedEntry(
  actor: string,
  shown: readonly DsarRequest[],
  hash: (subjectId: string) => string,
): AuditEntry | undefined {
  const revealed = shown.filter(request => request.subjectId !== null);
  if (revealed.length === 0) return undefined;
  const requestIds = revealed.map(request => request.id);
  const subjects = new Set(revealed.map(request => request.subjectId!));
  const [onlySubject] = subjects.size === 1 ? subjects : [];
  return {
    recordId: requestIds.length === 1 ? requestIds[0] : null,
    type: SUBJECT_REVEALED,
    actor,
    data: {
      requestIds,
      count: requestIds.length,
      ...(onlySubject === undefined ? {} : { subjectHash: hash(onlySubject) }),
    },
  };
}
