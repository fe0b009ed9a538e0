import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { ChangeRecordRequest } from '@internal/plugin-evidence-common';
import type { AuditEntry } from '@internal/plugin-ops-node';
import type { KubernetesRollbackRecord } from '../actions/rollbackKubernetes';
import type { GitRevertResult } from '../actions/gitRevert';
import type { ImageRollbackRecord } from '../actions/rollbackImage';

/** A change record with the audit event that goes with it. */
export interface RecordedChange {
  change: ChangeRecordRequest;
  entry: AuditEntry;
}

/** Where the task is shown in the portal, when the app's URL is known. */
export type TaskUrl = (taskId: string) => string | undefined;

/** A task step's change key: the same when a recovered task runs the step again. */
export const changeKey = (taskId: string, stepId: string | undefined) =>
  `scaffolder:${taskId}:${stepId ?? 'step'}`
    .replace(/[^\w.:-]/g, '_')
    .slice(0, 150);

// What the actions accept but the evidence plugin's schema does not (it
// would refuse the record, and the filing would be dead-lettered): a reason
// over several lines or too long, a short entity ref, a non-http link.

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/** One line of at most 1000 characters. */
const oneLine = (text: string) =>
  text.replace(CONTROL_CHARACTERS, ' ').trim().slice(0, 1000);

/** The full ref (`kind:namespace/name`) of a ref as an action's input gave it. */
function fullRef(ref: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'component' }),
    );
  } catch {
    return ref;
  }
}

const webLink = (url: string | undefined) =>
  url && /^https?:\/\//i.test(url) && url.length <= 2000 ? url : undefined;

function common(
  record: {
    entityRef: string;
    reason: string;
    incidentUrl?: string;
    taskId: string;
    stepId?: string;
    startedAt: string;
  },
  performedBy: string | undefined,
  taskUrl: TaskUrl,
) {
  return {
    key: changeKey(record.taskId, record.stepId),
    kind: 'rollback' as const,
    entityRef: fullRef(record.entityRef),
    // A rollback is run by a signed-in user (the actions refuse others).
    performedBy: performedBy ?? 'user:default/unknown',
    startedAt: record.startedAt,
    finishedAt: new Date().toISOString(),
    reason: oneLine(record.reason),
    ...(webLink(record.incidentUrl) && { incidentUrl: record.incidentUrl }),
    ...(taskUrl(record.taskId) && { taskUrl: taskUrl(record.taskId) }),
  };
}

function entryOf(change: ChangeRecordRequest, taskId: string): AuditEntry {
  return {
    type: 'rollback.completed',
    actor: change.performedBy,
    recordId: taskId,
    data: {
      strategy: change.strategy,
      entityRef: change.entityRef,
      before: change.before,
      after: change.after,
      details: change.details ?? {},
      changeKey: change.key,
    },
  };
}

/** A Kubernetes revision rollback, for the record. */
export function kubernetesRollbackChange(
  record: KubernetesRollbackRecord,
  taskUrl: TaskUrl,
): RecordedChange {
  const change: ChangeRecordRequest = {
    ...common(record, record.initiatedBy, taskUrl),
    strategy: 'kubernetes',
    before: { revision: record.fromRevision, images: record.imagesBefore },
    after: { revision: record.toRevision, images: record.imagesAfter },
    details: {
      cluster: record.cluster,
      namespace: record.namespace,
      deployment: record.deployment,
      durationMs: record.durationMs,
      rolloutWaitMs: record.rolloutWaitMs,
    },
  };
  return { change, entry: entryOf(change, record.taskId) };
}

/** A git revert pushed (and its pull request), for the record. */
export function gitRevertChange(
  result: GitRevertResult,
  taskUrl: TaskUrl,
): RecordedChange {
  const change: ChangeRecordRequest = {
    ...common(result, result.initiator, taskUrl),
    strategy: 'git-revert',
    before: {
      branch: result.baseBranch,
      commits: result.revertedCommits.map(c => c.sha),
    },
    after: { branch: result.branch, headSha: result.headSha },
    details: {
      repository: result.repositoryUrl,
      ...(result.pullRequestUrl && { pullRequest: result.pullRequestUrl }),
    },
  };
  return { change, entry: entryOf(change, result.taskId) };
}

/** A container image set back to an earlier digest, for the record. */
export function imageRollbackChange(
  record: ImageRollbackRecord,
  taskUrl: TaskUrl,
): RecordedChange {
  const change: ChangeRecordRequest = {
    ...common(record, record.initiatedBy, taskUrl),
    strategy: 'image',
    before: { revision: record.fromRevision, image: record.imageBefore },
    after: { revision: record.toRevision, image: record.imageAfter },
    details: {
      cluster: record.cluster,
      namespace: record.namespace,
      deployment: record.deployment,
      container: record.container,
      durationMs: record.durationMs,
      rolloutWaitMs: record.rolloutWaitMs,
    },
  };
  return { change, entry: entryOf(change, record.taskId) };
}
