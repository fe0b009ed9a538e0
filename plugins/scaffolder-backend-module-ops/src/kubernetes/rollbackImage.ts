import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { PatchStrategy, V1Container } from '@kubernetes/client-node';
import {
  Calls,
  changeCauseOp,
  findDeployment,
  ownedReplicaSets,
  revisionOf,
  RollbackTarget,
  waitForRollout,
} from './rollback';

export type ImageRollbackOptions = RollbackTarget & {
  entity: Entity;
  /** The container to change; needed when the pod template has several. */
  container?: string;
  /**
   * The image to set, pinned by digest (`registry/repo@sha256:<64 hex>`);
   * default: the container's image in the previous revision.
   */
  image?: string;
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

export type ImageRollbackResult = {
  cluster: string;
  namespace: string;
  deployment: string;
  container: string;
  imageBefore: string;
  imageAfter: string;
  /** The Deployment's revision before the change. */
  fromRevision: number;
  /** The revision the controller made of the change (dry run: the current). */
  toRevision: number;
  durationMs: number;
  rolloutWaitMs: number;
  dryRun: boolean;
};

// The reference grammar of the distribution project (docker/reference):
// [host[:port]/]path[:tag]@sha256:<64 hex>.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?';
const DIGEST_REFERENCE = new RegExp(
  `^${HOST}${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?@sha256:[a-f0-9]{64}$`,
);

/**
 * Refuses an image reference not pinned by a sha256 digest (a tag can be
 * moved; the point of the rollback is to run exactly the known-good image).
 */
export function assertPinnedByDigest(image: string): void {
  if (DIGEST_REFERENCE.test(image)) return;
  if (!image.includes('@')) {
    throw new InputError(
      `Image "${image}" is not pinned by digest; give a reference such as registry.example.com/team/app@sha256:<64 hex digits> (a tag can be moved, a digest cannot)`,
    );
  }
  throw new InputError(
    `Image "${image}" is not a valid reference pinned by digest; expected registry/repository@sha256:<64 lowercase hex digits>`,
  );
}

/** The container to change: the named one, or the only one. */
export function pickContainer(
  containers: V1Container[],
  name: string | undefined,
  where: string,
): { container: V1Container; index: number } {
  const names = containers.map(c => c.name).join(', ');
  if (name === undefined) {
    if (containers.length === 1) return { container: containers[0], index: 0 };
    throw new InputError(
      `The pod template of ${where} has ${containers.length} containers (${names}); say which one with the container input`,
    );
  }
  const index = containers.findIndex(c => c.name === name);
  if (index < 0) {
    throw new InputError(
      `The pod template of ${where} has no container "${name}"; its containers are ${names}`,
    );
  }
  return { container: containers[index], index };
}

/**
 * Sets one container's image of an entity's Deployment to a digest, or to
 * the image it had in the previous revision, in one JSON patch carrying the
 * Deployment's `resourceVersion` (a concurrent change makes it fail with 409
 * and nothing is applied). Then waits for the rollout.
 */
export async function rollbackImage(
  options: ImageRollbackOptions,
): Promise<ImageRollbackResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  if (options.image !== undefined) assertPinnedByDigest(options.image);
  const calls = new Calls(
    options,
    options.requestTimeoutMs ?? 10_000,
    options.signal,
  );
  const found = await findDeployment(calls, options.entity, options.cluster);
  const { namespace, name, deployment } = found;
  const where = `Deployment ${namespace}/${name}`;
  const fromRevision = revisionOf(deployment);
  const { container, index } = pickContainer(
    deployment.spec?.template?.spec?.containers ?? [],
    options.container,
    where,
  );
  const imageBefore = container.image ?? '';

  let imageAfter = options.image;
  if (imageAfter === undefined) {
    const owned = await ownedReplicaSets(calls, found);
    const previous = owned.find(rs => revisionOf(rs) < fromRevision);
    if (!previous) {
      throw new InputError(
        `${where} has no revision before ${fromRevision}, so container ${container.name} has no previous image; give the image to set`,
      );
    }
    const prior = previous.spec?.template?.spec?.containers?.find(
      c => c.name === container.name,
    );
    if (!prior?.image) {
      throw new InputError(
        `Revision ${revisionOf(previous)} of ${where} has no container ${
          container.name
        }; give the image to set`,
      );
    }
    imageAfter = prior.image;
  }
  if (imageAfter === imageBefore) {
    throw new InputError(
      `Container ${container.name} of ${where} already runs ${imageBefore}${
        options.image ? '' : ', the image of the previous revision too'
      }; nothing to roll back`,
    );
  }

  const base = {
    cluster: options.cluster,
    namespace,
    deployment: name,
    container: container.name,
    imageBefore,
    imageAfter,
    fromRevision,
  };
  log(
    `${options.dryRun ? 'Would set' : 'Setting'} container ${
      container.name
    } of ${where} on cluster ${
      options.cluster
    } from ${imageBefore} to ${imageAfter} (revision ${fromRevision})`,
  );
  if (options.dryRun) {
    return {
      ...base,
      toRevision: fromRevision,
      durationMs: Date.now() - started,
      rolloutWaitMs: 0,
      dryRun: true,
    };
  }

  // One JSON patch: atomic on the server. The resourceVersion makes a change
  // made since the read fail with 409 Conflict instead of being overwritten.
  const changeCause = `Set image of container ${
    container.name
  } from ${imageBefore} to ${imageAfter}${
    options.reason ? `: ${options.reason}` : ''
  }`;
  const patch: object[] = [
    {
      op: 'replace',
      path: '/metadata/resourceVersion',
      value: deployment.metadata?.resourceVersion,
    },
    {
      op: 'replace',
      path: `/spec/template/spec/containers/${index}/image`,
      value: imageAfter,
    },
    changeCauseOp(deployment, changeCause),
  ];
  const patched = await calls.run(`patching ${where}`, () =>
    calls.api.patchNamespacedDeployment(
      { namespace, name, body: patch },
      calls.options(PatchStrategy.JsonPatch),
    ),
  );

  const waitStarted = Date.now();
  const rollout = await waitForRollout(calls, {
    namespace,
    name,
    patched,
    timeoutMs: options.rolloutTimeoutMs ?? 300_000,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    signal: options.signal,
    failedMessage: failed =>
      `Rollout of ${where} with container ${container.name} set to ${imageAfter} failed: ${failed}`,
    timeoutMessage: (timeout, description) =>
      `Rollout of ${where} with container ${container.name} set to ${imageAfter} did not finish in ${timeout}: ${description}. The change was applied (the Deployment's template has ${imageAfter}); the new pods are not all available`,
  });
  const rolloutWaitMs = Date.now() - waitStarted;
  log(`Rollout of ${where} complete: ${rollout.state.description}`);
  return {
    ...base,
    toRevision: revisionOf(rollout.deployment),
    durationMs: Date.now() - started,
    rolloutWaitMs,
    dryRun: false,
  };
}
