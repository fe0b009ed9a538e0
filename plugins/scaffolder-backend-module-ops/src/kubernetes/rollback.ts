import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  ForwardedError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  ApiException,
  AppsV1Api,
  ConfigurationOptions,
  KubeConfig,
  Observable,
  ObservableMiddleware,
  PatchStrategy,
  RequestContext,
  ResponseContext,
  V1Deployment,
  V1LabelSelector,
  V1PodTemplateSpec,
  V1ReplicaSet,
} from '@kubernetes/client-node';

/** The entity annotations the rollback reads. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/** Where the rollback runs. */
export type RollbackTarget = {
  /** The cluster's name, for messages and the result. */
  cluster: string;
  /** A client configuration for the cluster. */
  kubeConfig: KubeConfig;
};

export type RollbackOptions = RollbackTarget & {
  entity: Entity;
  /** Roll back to this revision; default: the one before the current. */
  toRevision?: number;
  /** Compute and describe, change nothing. */
  dryRun?: boolean;
  /** Why (recorded in the Deployment's `kubernetes.io/change-cause`). */
  reason?: string;
  /** How long to wait for the rollout (default 300 000 ms). */
  rolloutTimeoutMs?: number;
  /** How long one API call may take (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** How often to read the rollout status (default 1000 ms). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /** Progress messages. */
  log?: (message: string) => void;
};

export type RollbackResult = {
  cluster: string;
  namespace: string;
  deployment: string;
  fromRevision: number;
  toRevision: number;
  imagesBefore: string[];
  imagesAfter: string[];
  durationMs: number;
  rolloutWaitMs: number;
  dryRun: boolean;
};

/** Where an entity's workload is, from its annotations. */
export type WorkloadLocation = {
  namespace: string;
  labelSelector: string;
};

/** Reads the Kubernetes annotations; an `InputError` names a missing one. */
export function locateWorkload(entity: Entity): WorkloadLocation {
  const annotations = entity.metadata.annotations ?? {};
  const ref = stringifyEntityRef(entity);
  const id = annotations[KUBERNETES_ID_ANNOTATION]?.trim();
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim();
  if (!id && !selector) {
    throw new InputError(
      `Entity ${ref} has no ${KUBERNETES_ID_ANNOTATION} annotation (nor ${KUBERNETES_LABEL_SELECTOR_ANNOTATION}), so its Deployment cannot be found; add ${KUBERNETES_ID_ANNOTATION}: <id> to its catalog-info.yaml and the label backstage.io/kubernetes-id=<id> to the Deployment`,
    );
  }
  return {
    namespace:
      annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || 'default',
    labelSelector: selector || `${KUBERNETES_ID_ANNOTATION}=${id}`,
  };
}

/** The images of a pod template, `container=image`. */
export function imagesOf(template: V1PodTemplateSpec | undefined): string[] {
  return (template?.spec?.containers ?? []).map(c => `${c.name}=${c.image}`);
}

/** The `deployment.kubernetes.io/revision` of a Deployment or ReplicaSet (0 if none). */
export function revisionOf(obj: {
  metadata?: { annotations?: Record<string, string> };
}) {
  const value = Number(obj.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(value) ? value : 0;
}

/** A structured selector as a `labelSelector` query string. */
export function selectorToString(
  selector: V1LabelSelector | undefined,
): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(
    ([k, v]) => `${k}=${v}`,
  );
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In':
        parts.push(`${e.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${e.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(e.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${e.key}`);
        break;
      default:
        throw new InputError(`Unknown selector operator "${e.operator}"`);
    }
  }
  return parts.join(',');
}

/** The pod template of a ReplicaSet as it goes onto the Deployment. */
export function templateForRollback(rs: V1ReplicaSet): V1PodTemplateSpec {
  const template: V1PodTemplateSpec = JSON.parse(
    JSON.stringify(rs.spec?.template ?? {}),
  );
  if (template.metadata?.labels) {
    delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  }
  return template;
}

/** A duration for messages: `2 s`, `0.5 s`, `30 s`. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10} s`;
}

/**
 * Makes calls through the production client with a per-call timeout and
 * turns Kubernetes failures into Backstage errors with clear messages.
 */
export class Calls {
  readonly api: AppsV1Api;
  private readonly server: string;

  constructor(
    private readonly target: RollbackTarget,
    private readonly requestTimeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {
    this.api = target.kubeConfig.makeApiClient(AppsV1Api);
    this.server = target.kubeConfig.getCurrentCluster()?.server ?? '?';
  }

  /**
   * Per-call options: a middleware that sets the abort signal (a per-call
   * timeout, and the task's cancellation) and the patch content type.
   */
  options(contentType?: string): ConfigurationOptions<ObservableMiddleware> {
    const timeoutMs = this.requestTimeoutMs;
    const outer = this.signal;
    return {
      middleware: [
        {
          pre: (ctx: RequestContext) => {
            const timeout = AbortSignal.timeout(timeoutMs);
            ctx.setSignal(outer ? AbortSignal.any([outer, timeout]) : timeout);
            if (contentType) ctx.setHeaderParam('Content-Type', contentType);
            return new Observable(Promise.resolve(ctx));
          },
          post: (rsp: ResponseContext) => new Observable(Promise.resolve(rsp)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.translate(what, error);
    }
  }

  private translate(what: string, error: unknown): Error {
    const where = `cluster ${this.target.cluster} (${this.server})`;
    const e = error as any;
    const name = e?.name ?? e?.cause?.name;
    if (
      name === 'TimeoutError' ||
      (name === 'AbortError' && !this.signal?.aborted)
    ) {
      return new Error(
        `The Kubernetes API of ${where} did not answer ${what} within ${seconds(
          this.requestTimeoutMs,
        )}; nothing more was changed`,
      );
    }
    if (name === 'AbortError') {
      return new Error(`Cancelled while ${what} on ${where}`);
    }
    if (error instanceof ApiException) {
      let body: any = error.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          // not JSON: keep the text
        }
      }
      const detail =
        typeof body === 'object' && body?.message ? body.message : String(body);
      const reason =
        typeof body === 'object' && body?.reason ? ` (${body.reason})` : '';
      const message = `Kubernetes refused ${what} on ${where}: ${error.code}${reason} ${detail}`;
      switch (error.code) {
        case 404:
          return new NotFoundError(message);
        case 401:
        case 403:
          return new NotAllowedError(message);
        case 409:
          return new ConflictError(message);
        case 400:
        case 422:
          return new InputError(message);
        default:
          return new Error(message);
      }
    }
    return new ForwardedError(
      `Calling Kubernetes (${what}) on ${where} failed`,
      error,
    );
  }
}

export type RolloutState = {
  done: boolean;
  failed?: string;
  description: string;
};

/** Whether a Deployment's rollout is complete, as `kubectl rollout status` judges it. */
export function rolloutState(d: V1Deployment): RolloutState {
  const generation = d.metadata?.generation ?? 0;
  const s = d.status ?? {};
  const observed = s.observedGeneration ?? 0;
  const replicas = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const total = s.replicas ?? 0;
  const unavailable = s.unavailableReplicas ?? Math.max(0, total - available);
  const description = `${updated} of ${replicas} updated, ${available} available, ${unavailable} unavailable, ${total} in total; generation ${generation}, observed ${observed}`;
  const progressing = s.conditions?.find(c => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      failed: `progress deadline exceeded: ${progressing.message ?? ''}`.trim(),
      description,
    };
  }
  const done =
    observed >= generation &&
    updated === replicas &&
    available === replicas &&
    total === updated;
  return { done, description };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('Cancelled'));
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('Cancelled while waiting for the rollout'));
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An entity's Deployment, found by its annotations and read. */
export type FoundDeployment = {
  namespace: string;
  name: string;
  /** As read: its resourceVersion is the one a patch must carry. */
  deployment: V1Deployment;
};

/**
 * Finds the one Deployment the entity's annotations select and reads it;
 * fails when none or several match, or when it is paused.
 */
export async function findDeployment(
  calls: Calls,
  entity: Entity,
  cluster: string,
): Promise<FoundDeployment> {
  const { namespace, labelSelector } = locateWorkload(entity);
  const api = calls.api;
  const list = await calls.run(
    `listing Deployments in namespace ${namespace} with label selector ${labelSelector}`,
    () =>
      api.listNamespacedDeployment(
        { namespace, labelSelector },
        calls.options(),
      ),
  );
  if (list.items.length === 0) {
    throw new NotFoundError(
      `No Deployment in namespace ${namespace} of cluster ${cluster} matches the label selector ${labelSelector} (from the entity ${stringifyEntityRef(
        entity,
      )})`,
    );
  }
  if (list.items.length > 1) {
    throw new InputError(
      `${
        list.items.length
      } Deployments in namespace ${namespace} match the label selector ${labelSelector} (${list.items
        .map(d => d.metadata?.name)
        .join(
          ', ',
        )}); narrow it with the ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation`,
    );
  }
  const name = list.items[0].metadata!.name!;

  // Read the Deployment itself: its resourceVersion is the one the patch carries.
  const deployment = await calls.run(
    `reading Deployment ${namespace}/${name}`,
    () => api.readNamespacedDeployment({ namespace, name }, calls.options()),
  );
  if (deployment.spec?.paused) {
    throw new InputError(
      `Deployment ${namespace}/${name} is paused; resume it (kubectl rollout resume) before rolling back`,
    );
  }
  return { namespace, name, deployment };
}

/** The ReplicaSets a Deployment controls, highest revision first. */
export async function ownedReplicaSets(
  calls: Calls,
  { namespace, name, deployment }: FoundDeployment,
): Promise<V1ReplicaSet[]> {
  const uid = deployment.metadata?.uid;
  const rsList = await calls.run(
    `listing the ReplicaSets of Deployment ${namespace}/${name}`,
    () =>
      calls.api.listNamespacedReplicaSet(
        {
          namespace,
          labelSelector: selectorToString(deployment.spec?.selector),
        },
        calls.options(),
      ),
  );
  return rsList.items
    .filter(rs =>
      (rs.metadata?.ownerReferences ?? []).some(
        o => o.controller && o.uid === uid,
      ),
    )
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** The JSON patch operation that sets `kubernetes.io/change-cause`. */
export function changeCauseOp(
  deployment: V1Deployment,
  changeCause: string,
): object {
  if (deployment.metadata?.annotations) {
    return {
      op: 'add',
      path: `/metadata/annotations/${CHANGE_CAUSE_ANNOTATION.replace(
        /\//g,
        '~1',
      )}`,
      value: changeCause,
    };
  }
  return {
    op: 'add',
    path: '/metadata/annotations',
    value: { [CHANGE_CAUSE_ANNOTATION]: changeCause },
  };
}

export type WaitForRolloutOptions = {
  namespace: string;
  name: string;
  /** The Deployment as the patch returned it (its generation is awaited). */
  patched: V1Deployment;
  timeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
  /** The error message when the rollout fails (`failed` says how). */
  failedMessage: (failed: string) => string;
  /** The error message at the timeout (`timeout` as `30 s`). */
  timeoutMessage: (timeout: string, description: string) => string;
};

/**
 * Reads `/status` until the rollout of the patched generation is complete,
 * as `kubectl rollout status` judges it; fails at a `ProgressDeadlineExceeded`
 * condition or at the timeout, describing the state. Returns the last read.
 */
export async function waitForRollout(
  calls: Calls,
  options: WaitForRolloutOptions,
): Promise<{ deployment: V1Deployment; state: RolloutState }> {
  const { namespace, name, timeoutMs } = options;
  const generation = options.patched.metadata?.generation ?? 0;
  const waitStarted = Date.now();
  for (;;) {
    const current = await calls.run(
      `reading the rollout status of Deployment ${namespace}/${name}`,
      () =>
        calls.api.readNamespacedDeploymentStatus(
          { namespace, name },
          calls.options(),
        ),
    );
    if ((current.metadata?.generation ?? 0) < generation) {
      throw new ConflictError(
        `Deployment ${namespace}/${name} went back to generation ${current.metadata?.generation} while waiting for generation ${generation}`,
      );
    }
    const state = rolloutState(current);
    if (state.failed) {
      throw new Error(
        `${options.failedMessage(state.failed)}; ${state.description}`,
      );
    }
    if (state.done) return { deployment: current, state };
    const elapsed = Date.now() - waitStarted;
    if (elapsed >= timeoutMs) {
      throw new Error(
        options.timeoutMessage(seconds(timeoutMs), state.description),
      );
    }
    await sleep(
      Math.min(options.pollIntervalMs, timeoutMs - elapsed),
      options.signal,
    );
  }
}

/**
 * Rolls an entity's Deployment back the way `kubectl rollout undo` does:
 * the ReplicaSet of the previous (or given) revision gives its pod template,
 * without the `pod-template-hash` label, to the Deployment, in one patch that
 * carries the Deployment's current `resourceVersion` (a concurrent change
 * makes it fail with 409 and nothing is applied). Then waits for the rollout.
 */
export async function rollbackDeployment(
  options: RollbackOptions,
): Promise<RollbackResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const calls = new Calls(
    options,
    options.requestTimeoutMs ?? 10_000,
    options.signal,
  );
  const api = calls.api;
  const found = await findDeployment(calls, options.entity, options.cluster);
  const { namespace, name, deployment } = found;
  const owned = await ownedReplicaSets(calls, found);
  const fromRevision = revisionOf(deployment);
  const available = owned.map(revisionOf).filter(r => r > 0);

  let target: V1ReplicaSet | undefined;
  if (options.toRevision !== undefined) {
    if (options.toRevision === fromRevision) {
      throw new InputError(
        `Deployment ${namespace}/${name} is already at revision ${fromRevision}`,
      );
    }
    target = owned.find(rs => revisionOf(rs) === options.toRevision);
    if (!target) {
      throw new NotFoundError(
        `Deployment ${namespace}/${name} has no revision ${
          options.toRevision
        }; its revisions are ${available.join(', ') || 'none'}`,
      );
    }
  } else {
    target = owned.find(rs => revisionOf(rs) < fromRevision);
    if (!target) {
      throw new InputError(
        `Deployment ${namespace}/${name} has no revision before ${fromRevision} to roll back to`,
      );
    }
  }
  const toRevision = revisionOf(target);
  const template = templateForRollback(target);
  const imagesBefore = imagesOf(deployment.spec?.template);
  const imagesAfter = imagesOf(template);
  const base = {
    cluster: options.cluster,
    namespace,
    deployment: name,
    fromRevision,
    toRevision,
    imagesBefore,
    imagesAfter,
  };
  log(
    `${
      options.dryRun ? 'Would roll' : 'Rolling'
    } back Deployment ${namespace}/${name} on cluster ${
      options.cluster
    } from revision ${fromRevision} (${imagesBefore.join(
      ', ',
    )}) to revision ${toRevision} (${imagesAfter.join(', ')})`,
  );
  if (options.dryRun) {
    return {
      ...base,
      durationMs: Date.now() - started,
      rolloutWaitMs: 0,
      dryRun: true,
    };
  }

  // One JSON patch: atomic on the server. The resourceVersion makes a change
  // made since the read fail with 409 Conflict instead of being overwritten.
  const changeCause = `Rolled back from revision ${fromRevision} to ${toRevision}${
    options.reason ? `: ${options.reason}` : ''
  }`;
  const patch: object[] = [
    {
      op: 'replace',
      path: '/metadata/resourceVersion',
      value: deployment.metadata?.resourceVersion,
    },
    { op: 'replace', path: '/spec/template', value: template },
    changeCauseOp(deployment, changeCause),
  ];
  const patched = await calls.run(
    `patching Deployment ${namespace}/${name}`,
    () =>
      api.patchNamespacedDeployment(
        { namespace, name, body: patch },
        calls.options(PatchStrategy.JsonPatch),
      ),
  );

  const waitStarted = Date.now();
  const { state } = await waitForRollout(calls, {
    namespace,
    name,
    patched,
    timeoutMs: options.rolloutTimeoutMs ?? 300_000,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    signal: options.signal,
    failedMessage: failed =>
      `Rollout of the rollback of Deployment ${namespace}/${name} to revision ${toRevision} failed: ${failed}`,
    timeoutMessage: (timeout, description) =>
      `Rollout of Deployment ${namespace}/${name} back to revision ${toRevision} did not finish in ${timeout}: ${description}. The rollback was applied (the Deployment's template is revision ${toRevision}'s); the new pods are not all available`,
  });
  const rolloutWaitMs = Date.now() - waitStarted;
  log(
    `Rollout of Deployment ${namespace}/${name} complete: ${state.description}`,
  );
  return {
    ...base,
    durationMs: Date.now() - started,
    rolloutWaitMs,
    dryRun: false,
  };
}
