import { createHash, randomUUID } from 'node:crypto';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import {
  LabelSelectorError,
  matchesStructuredSelector,
  parseLabelSelector,
} from './labelSelector';
import {
  applyJsonPatch,
  applyMergePatch,
  canonical,
  clone,
  PatchError,
} from './patch';

/**
 * A small Kubernetes API server for the `apps/v1` Deployment and ReplicaSet
 * calls the ops actions make, with a stand-in for the deployment controller.
 * It is used by the tests and, clearly labelled, as the demo cluster of
 * `yarn start`. It is not a Kubernetes: no pods, no watch, no RBAC.
 */

/** Annotation carrying a Deployment's and a ReplicaSet's revision. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** Annotation with earlier revisions of a reused ReplicaSet. */
export const REVISION_HISTORY_ANNOTATION =
  'deployment.kubernetes.io/revision-history';
/** Label the deployment controller adds to a ReplicaSet and its pod template. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The routes of the stand-in, for fault injection and the request log. */
export type StandInRoute =
  | 'version'
  | 'listDeployments'
  | 'createDeployment'
  | 'readDeployment'
  | 'patchDeployment'
  | 'readDeploymentStatus'
  | 'listReplicaSets'
  | 'readReplicaSet';

/** A fault for the next `times` requests to a route. */
export type StandInFault = {
  route: StandInRoute;
  /** How many requests the fault applies to (default 1). */
  times?: number;
} & (
  | {
      /** Answer with this status code and a Kubernetes `Status` body. */
      status: 400 | 401 | 403 | 404 | 409 | 422 | 429 | 500 | 503;
      message?: string;
    }
  | {
      /** Never answer (until the stand-in is closed). */
      hang: true;
    }
  | {
      /**
       * Run this before the request is served, e.g. a concurrent change by
       * someone else between a client's read and its patch.
       */
      before: (standIn: KubernetesStandIn) => void;
    }
);

/** One request the stand-in received. */
export type StandInRequest = {
  route: StandInRoute | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: unknown;
};

export type KubernetesStandInOptions = {
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Milliseconds after a change until the new pods are ready (default 1000). */
  readyAfterMs?: number;
  /** Milliseconds until the controller observes a change (default 0). */
  observeAfterMs?: number;
  /** Shown in `/version` and the `X-Kubernetes-Stand-In` header. */
  label?: string;
};

/** Per-Deployment controller behaviour. */
export type DeploymentBehaviour = {
  /** The new pods never become ready: the rollout never completes. */
  neverReady?: boolean;
  /** Overrides the stand-in's `readyAfterMs` for this Deployment. */
  readyAfterMs?: number;
};

export type SeedOptions = {
  name: string;
  namespace?: string;
  /** Labels of the Deployment, its selector and its pod template. */
  labels?: Record<string, string>;
  replicas?: number;
  containerName?: string;
  /**
   * One entry per revision, oldest first: an image, or one image per
   * container. The last one is the current revision.
   */
  images: Array<string | string[]>;
  /** Annotations of the pod template, merged into every revision. */
  templateAnnotations?: Record<string, string>;
};

type Obj = Record<string, any>;

type DeploymentState = {
  deployment: Obj;
  behaviour: DeploymentBehaviour;
  observeTimer?: NodeJS.Timeout;
  readyTimer?: NodeJS.Timeout;
};

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The hash the stand-in's controller gives a pod template (10 characters). */
export function podTemplateHash(template: unknown): string {
  const t = clone(template) as Obj;
  if (t?.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  }
  const digest = createHash('sha256')
    .update(JSON.stringify(canonical(t)))
    .digest();
  let out = '';
  for (let i = 0; i < 10; i++) {
    out += HASH_ALPHABET[digest[i] % HASH_ALPHABET.length];
  }
  return out;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function notFound(kind: 'deployments' | 'replicasets', name: string) {
  return new ApiError(404, 'NotFound', `${kind}.apps "${name}" not found`, {
    name,
    group: 'apps',
    kind,
  });
}

function invalid(name: string, causes: string[]) {
  return new ApiError(
    422,
    'Invalid',
    `Deployment.apps "${name}" is invalid: ${causes.join(', ')}`,
    { name, group: 'apps', kind: 'Deployment' },
  );
}

const MAX_BODY = 3 * 1024 * 1024;

/** See the module comment. Start with {@link KubernetesStandIn.start}. */
export class KubernetesStandIn {
  /** Every request received, in order. */
  readonly requests: StandInRequest[] = [];

  private readonly server: Server;
  private readonly options: Required<
    Pick<KubernetesStandInOptions, 'readyAfterMs' | 'observeAfterMs' | 'label'>
  > &
    KubernetesStandInOptions;
  private readonly deployments = new Map<string, DeploymentState>();
  private readonly replicaSets = new Map<string, Obj>();
  private readonly faults: Array<StandInFault & { remaining: number }> = [];
  private resourceVersion = 1000;
  private baseUrl = '';
  private closed = false;

  private constructor(options: KubernetesStandInOptions) {
    this.options = {
      readyAfterMs: 1000,
      observeAfterMs: 0,
      label: 'Kubernetes API stand-in (not a real cluster)',
      ...options,
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(error => {
        this.sendStatus(
          res,
          new ApiError(500, 'InternalError', String(error?.message ?? error)),
        );
      });
    });
  }

  /** Starts a stand-in listening on `host:port` (port 0 by default). */
  static async start(
    options: KubernetesStandInOptions = {},
  ): Promise<KubernetesStandIn> {
    const standIn = new KubernetesStandIn(options);
    await new Promise<void>((resolve, reject) => {
      standIn.server.once('error', reject);
      standIn.server.listen(
        options.port ?? 0,
        options.host ?? '127.0.0.1',
        () => resolve(),
      );
    });
    const address = standIn.server.address() as AddressInfo;
    const host =
      address.family === 'IPv6' ? `[${address.address}]` : address.address;
    standIn.baseUrl = `http://${host}:${address.port}`;
    return standIn;
  }

  /** The base URL, e.g. `http://127.0.0.1:43123`. */
  get url(): string {
    return this.baseUrl;
  }

  /** Stops the server, drops hanging requests and the controller's timers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const state of this.deployments.values()) {
      clearTimeout(state.observeTimer);
      clearTimeout(state.readyTimer);
    }
    await new Promise<void>(resolve => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Injects a fault for the next requests to a route. */
  injectFault(fault: StandInFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Removes all pending faults. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Sets how the controller treats one Deployment. */
  setBehaviour(
    namespace: string,
    name: string,
    behaviour: DeploymentBehaviour,
  ): void {
    const state = this.state(namespace, name);
    state.behaviour = { ...state.behaviour, ...behaviour };
    if (behaviour.neverReady) {
      clearTimeout(state.readyTimer);
    }
  }

  /** A copy of a Deployment, or undefined. */
  getDeployment(namespace: string, name: string): Obj | undefined {
    const state = this.deployments.get(`${namespace}/${name}`);
    return state ? clone(state.deployment) : undefined;
  }

  /** Copies of the ReplicaSets a Deployment owns, oldest revision first. */
  getReplicaSets(namespace: string, name: string): Obj[] {
    const uid = this.deployments.get(`${namespace}/${name}`)?.deployment
      .metadata.uid;
    return this.ownedReplicaSets(namespace, uid).map(rs => clone(rs));
  }

  /** Creates a Deployment, as `POST .../deployments` does. */
  createDeployment(namespace: string, body: Obj): Obj {
    const name = body?.metadata?.name;
    if (typeof name !== 'string' || !name) {
      throw invalid('', ['metadata.name: Required value']);
    }
    const key = `${namespace}/${name}`;
    if (this.deployments.has(key)) {
      throw new ApiError(
        409,
        'AlreadyExists',
        `deployments.apps "${name}" already exists`,
        { name, group: 'apps', kind: 'deployments' },
      );
    }
    const d: Obj = clone(body);
    d.apiVersion = 'apps/v1';
    d.kind = 'Deployment';
    d.metadata = {
      ...d.metadata,
      namespace,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      resourceVersion: this.nextResourceVersion(),
    };
    d.spec = {
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      ...d.spec,
    };
    d.status = {};
    this.validate(d);
    const state: DeploymentState = { deployment: d, behaviour: {} };
    this.deployments.set(key, state);
    this.scheduleObserve(state);
    return clone(d);
  }

  /**
   * Changes a Deployment the way another client would (a concurrent change):
   * the change goes through the same validation, versioning and controller.
   */
  updateDeployment(
    namespace: string,
    name: string,
    mutate: (deployment: Obj) => void,
  ): Obj {
    const state = this.state(namespace, name);
    const next = clone(state.deployment);
    mutate(next);
    return this.store(state, next);
  }

  /**
   * Creates a Deployment with one revision per entry of `images` (oldest
   * first), each rolled out and ready at once, as if it had been deployed
   * that many times. Returns the Deployment.
   */
  seed(options: SeedOptions): Obj {
    const namespace = options.namespace ?? 'default';
    const labels = options.labels ?? { app: options.name };
    const containerName = options.containerName ?? options.name;
    if (options.images.length === 0) {
      throw new Error('seed needs at least one revision of images');
    }
    const containersOf = (entry: string | string[]) =>
      (Array.isArray(entry) ? entry : [entry]).map((image, i) => ({
        name: i === 0 ? containerName : `${containerName}-${i + 1}`,
        image,
      }));
    const template = (entry: string | string[]) => ({
      metadata: {
        labels: { ...labels },
        ...(options.templateAnnotations
          ? { annotations: { ...options.templateAnnotations } }
          : {}),
      },
      spec: { containers: containersOf(entry) },
    });
    this.createDeployment(namespace, {
      metadata: { name: options.name, labels: { ...labels } },
      spec: {
        replicas: options.replicas ?? 1,
        selector: { matchLabels: { ...labels } },
        template: template(options.images[0]),
      },
    });
    const state = this.state(namespace, options.name);
    this.settle(state);
    for (const entry of options.images.slice(1)) {
      const next = clone(state.deployment);
      next.spec.template = template(entry);
      this.store(state, next);
      this.settle(state);
    }
    return clone(state.deployment);
  }

  // ---------------------------------------------------------------- storage

  private nextResourceVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  private state(namespace: string, name: string): DeploymentState {
    const state = this.deployments.get(`${namespace}/${name}`);
    if (!state) throw notFound('deployments', name);
    return state;
  }

  private validate(d: Obj, previous?: Obj) {
    const name = d.metadata?.name ?? '';
    const causes: string[] = [];
    const spec = d.spec ?? {};
    if (!spec.selector || typeof spec.selector !== 'object') {
      causes.push('spec.selector: Required value');
    } else if (
      !matchesStructuredSelector(spec.selector, spec.template?.metadata?.labels)
    ) {
      causes.push(
        'spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`',
      );
    }
    if (
      previous &&
      JSON.stringify(canonical(previous.spec.selector)) !==
        JSON.stringify(canonical(spec.selector))
    ) {
      causes.push('spec.selector: Invalid value: field is immutable');
    }
    if (!Number.isInteger(spec.replicas) || spec.replicas < 0) {
      causes.push(
        'spec.replicas: Invalid value: must be greater than or equal to 0',
      );
    }
    const containers = spec.template?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      causes.push('spec.template.spec.containers: Required value');
    } else {
      containers.forEach((c: Obj, i: number) => {
        if (!c?.name) {
          causes.push(
            `spec.template.spec.containers[${i}].name: Required value`,
          );
        }
        if (!c?.image) {
          causes.push(
            `spec.template.spec.containers[${i}].image: Required value`,
          );
        }
      });
    }
    if (causes.length > 0) throw invalid(name, causes);
  }

  /** Validates and stores a changed Deployment (optimistic concurrency). */
  private store(state: DeploymentState, next: Obj): Obj {
    const current = state.deployment;
    const name = current.metadata.name;
    if (
      next.metadata?.resourceVersion !== undefined &&
      next.metadata.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: 'apps', kind: 'deployments' },
      );
    }
    if (
      next.metadata?.name !== name ||
      (next.metadata?.namespace ?? current.metadata.namespace) !==
        current.metadata.namespace ||
      (next.metadata?.uid ?? current.metadata.uid) !== current.metadata.uid
    ) {
      throw new ApiError(
        400,
        'BadRequest',
        'the name, namespace and uid of an object cannot be changed by a patch',
      );
    }
    next.apiVersion = 'apps/v1';
    next.kind = 'Deployment';
    // Server-managed fields and the status subresource are not patchable here.
    next.metadata = {
      ...next.metadata,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: current.metadata.generation,
      resourceVersion: current.metadata.resourceVersion,
    };
    next.status = clone(current.status);
    this.validate(next, current);
    const same = (a: unknown, b: unknown) =>
      JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
    if (same(next, current)) {
      return clone(current);
    }
    if (!same(next.spec, current.spec)) {
      next.metadata.generation = current.metadata.generation + 1;
    }
    next.metadata.resourceVersion = this.nextResourceVersion();
    const specChanged =
      next.metadata.generation !== current.metadata.generation;
    state.deployment = next;
    if (specChanged) this.scheduleObserve(state);
    return clone(next);
  }

  private ownedReplicaSets(namespace: string, uid: string | undefined): Obj[] {
    if (!uid) return [];
    return [...this.replicaSets.values()]
      .filter(
        rs =>
          rs.metadata.namespace === namespace &&
          (rs.metadata.ownerReferences ?? []).some(
            (o: Obj) => o.uid === uid && o.controller,
          ),
      )
      .sort((a, b) => revisionOf(a) - revisionOf(b));
  }

  private touchReplicaSet(rs: Obj) {
    rs.metadata.resourceVersion = this.nextResourceVersion();
  }

  private touchDeployment(state: DeploymentState) {
    state.deployment.metadata.resourceVersion = this.nextResourceVersion();
  }

  // ------------------------------------------------------------ controller

  private scheduleObserve(state: DeploymentState) {
    clearTimeout(state.observeTimer);
    clearTimeout(state.readyTimer);
    if (this.closed) return;
    state.observeTimer = setTimeout(
      () => this.observe(state),
      this.options.observeAfterMs,
    );
    state.observeTimer.unref?.();
  }

  /** Rolls out at once, ready (used by `seed`). */
  private settle(state: DeploymentState) {
    clearTimeout(state.observeTimer);
    clearTimeout(state.readyTimer);
    this.observe(state, false);
    this.complete(state);
  }

  /**
   * What the deployment controller does when it sees a new generation: find
   * or create the ReplicaSet of the current template, give it the next
   * revision, start surging new pods.
   */
  private observe(state: DeploymentState, scheduleReady = true) {
    const d = state.deployment;
    if (!this.deployments.has(`${d.metadata.namespace}/${d.metadata.name}`)) {
      return;
    }
    const namespace = d.metadata.namespace;
    const owned = this.ownedReplicaSets(namespace, d.metadata.uid);
    const hash = podTemplateHash(d.spec.template);
    const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let newRs = owned.find(
      rs => rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash,
    );
    const templateChanged = !newRs || revisionOf(newRs) !== maxRevision;
    if (d.spec.paused) {
      d.status = { ...d.status, observedGeneration: d.metadata.generation };
      this.touchDeployment(state);
      return;
    }
    if (!newRs) {
      const template = clone(d.spec.template);
      template.metadata = template.metadata ?? {};
      template.metadata.labels = {
        ...template.metadata.labels,
        [POD_TEMPLATE_HASH_LABEL]: hash,
      };
      newRs = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace,
          uid: randomUUID(),
          generation: 1,
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          labels: { ...template.metadata.labels },
          annotations: {
            [REVISION_ANNOTATION]: String(maxRevision + 1),
            'deployment.kubernetes.io/desired-replicas': String(
              d.spec.replicas,
            ),
          },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: d.metadata.name,
              uid: d.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
          resourceVersion: this.nextResourceVersion(),
        },
        spec: {
          replicas: 0,
          selector: {
            ...clone(d.spec.selector),
            matchLabels: {
              ...d.spec.selector.matchLabels,
              [POD_TEMPLATE_HASH_LABEL]: hash,
            },
          },
          template,
        },
        status: { replicas: 0, observedGeneration: 1 },
      };
      this.replicaSets.set(`${namespace}/${newRs.metadata.name}`, newRs);
    } else if (revisionOf(newRs) !== maxRevision) {
      // The template equals an older ReplicaSet's: Kubernetes reuses it and
      // gives it the next revision, remembering the one it had.
      const old = newRs.metadata.annotations[REVISION_ANNOTATION];
      const history = newRs.metadata.annotations[REVISION_HISTORY_ANNOTATION];
      newRs.metadata.annotations[REVISION_ANNOTATION] = String(maxRevision + 1);
      newRs.metadata.annotations[REVISION_HISTORY_ANNOTATION] = history
        ? `${history},${old}`
        : old;
      this.touchReplicaSet(newRs);
    }
    const replicas: number = d.spec.replicas;
    const oldRss = this.ownedReplicaSets(namespace, d.metadata.uid).filter(
      rs => rs !== newRs,
    );
    const oldAvailable = oldRss.reduce(
      (n, rs) => n + (rs.status?.availableReplicas ?? 0),
      0,
    );
    const newReady = templateChanged ? 0 : newRs.status?.readyReplicas ?? 0;
    const surge = Math.min(replicas, Math.max(1, Math.ceil(replicas * 0.25)));
    const newDesired = templateChanged
      ? Math.max(surge, 0)
      : Math.min(replicas, Math.max(newRs.spec.replicas, newReady));
    newRs.spec.replicas = replicas === 0 ? 0 : newDesired;
    newRs.status = {
      ...newRs.status,
      replicas: newRs.spec.replicas,
      readyReplicas: Math.min(newReady, newRs.spec.replicas),
      availableReplicas: Math.min(newReady, newRs.spec.replicas),
    };
    this.touchReplicaSet(newRs);
    d.metadata.annotations = {
      ...d.metadata.annotations,
      [REVISION_ANNOTATION]: newRs.metadata.annotations[REVISION_ANNOTATION],
    };
    const total =
      newRs.spec.replicas +
      oldRss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const available = oldAvailable + newRs.status.availableReplicas;
    d.status = {
      observedGeneration: d.metadata.generation,
      replicas: total,
      updatedReplicas: newRs.spec.replicas,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions: [
        condition(
          'Available',
          available >= replicas ? 'True' : 'False',
          available >= replicas
            ? 'MinimumReplicasAvailable'
            : 'MinimumReplicasUnavailable',
        ),
        condition(
          'Progressing',
          'True',
          'ReplicaSetUpdated',
          `ReplicaSet "${newRs.metadata.name}" is progressing.`,
        ),
      ],
    };
    this.touchDeployment(state);
    if (scheduleReady && !state.behaviour.neverReady && !this.closed) {
      state.readyTimer = setTimeout(
        () => this.complete(state),
        state.behaviour.readyAfterMs ?? this.options.readyAfterMs,
      );
      state.readyTimer.unref?.();
    }
  }

  /** The new pods are ready: scale the new ReplicaSet up, the old ones to 0. */
  private complete(state: DeploymentState) {
    const d = state.deployment;
    const namespace = d.metadata.namespace;
    const hash = podTemplateHash(d.spec.template);
    const owned = this.ownedReplicaSets(namespace, d.metadata.uid);
    const newRs = owned.find(
      rs => rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash,
    );
    if (!newRs || d.spec.paused) return;
    const replicas: number = d.spec.replicas;
    for (const rs of owned) {
      const desired = rs === newRs ? replicas : 0;
      rs.spec.replicas = desired;
      rs.metadata.annotations['deployment.kubernetes.io/desired-replicas'] =
        String(replicas);
      rs.status = {
        replicas: desired,
        fullyLabeledReplicas: desired,
        readyReplicas: desired,
        availableReplicas: desired,
        observedGeneration: rs.metadata.generation,
      };
      this.touchReplicaSet(rs);
    }
    // Revision history limit: drop the oldest scaled-down ReplicaSets.
    const old = owned.filter(rs => rs !== newRs);
    const limit = d.spec.revisionHistoryLimit ?? 10;
    for (const rs of old.slice(0, Math.max(0, old.length - limit))) {
      this.replicaSets.delete(`${namespace}/${rs.metadata.name}`);
    }
    d.status = {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        condition('Available', 'True', 'MinimumReplicasAvailable'),
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`,
        ),
      ],
    };
    if (replicas === 0) {
      delete d.status.readyReplicas;
      delete d.status.availableReplicas;
    }
    this.touchDeployment(state);
  }

  // ------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    const route = matchRoute(method, url.pathname);
    const record: StandInRequest = {
      route: route?.route ?? 'unknown',
      method,
      path: url.pathname,
      query,
      contentType: req.headers['content-type'],
    };
    this.requests.push(record);
    res.setHeader('X-Kubernetes-Stand-In', this.options.label);

    if (this.options.token !== undefined) {
      const auth = req.headers.authorization ?? '';
      if (auth !== `Bearer ${this.options.token}`) {
        this.sendStatus(res, new ApiError(401, 'Unauthorized', 'Unauthorized'));
        return;
      }
    }
    if (!route) {
      this.sendStatus(
        res,
        new ApiError(
          404,
          'NotFound',
          `the server could not find the requested resource (${method} ${url.pathname}); this stand-in serves only the apps/v1 Deployment and ReplicaSet calls of the ops actions`,
        ),
      );
      return;
    }

    let body: unknown;
    if (method === 'PATCH' || method === 'POST') {
      try {
        body = await readJson(req);
        record.body = body;
      } catch (error) {
        this.sendStatus(
          res,
          error instanceof ApiError
            ? error
            : new ApiError(400, 'BadRequest', String(error)),
        );
        return;
      }
    }

    const fault = this.faults.find(f => f.route === route.route);
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) {
        this.faults.splice(this.faults.indexOf(fault), 1);
      }
      if ('hang' in fault) {
        return; // never answer; close() drops the connection
      }
      if ('status' in fault) {
        this.sendStatus(
          res,
          new ApiError(
            fault.status,
            REASONS[fault.status] ?? 'Unknown',
            fault.message ?? injectedMessage(fault.status, route),
            route.name
              ? { name: route.name, group: 'apps', kind: route.kind }
              : undefined,
          ),
        );
        return;
      }
      fault.before(this);
    }

    try {
      const result = this.serve(route, req, query, body);
      send(res, route.route === 'createDeployment' ? 201 : 200, result);
    } catch (error) {
      if (error instanceof ApiError) {
        this.sendStatus(res, error);
      } else if (error instanceof PatchError) {
        this.sendStatus(
          res,
          new ApiError(
            error.status,
            REASONS[error.status],
            `the server rejected our request due to an error in our request: ${error.message}`,
          ),
        );
      } else if (error instanceof LabelSelectorError) {
        this.sendStatus(res, new ApiError(400, 'BadRequest', error.message));
      } else {
        throw error;
      }
    }
  }

  private serve(
    route: MatchedRoute,
    req: IncomingMessage,
    query: Record<string, string>,
    body: unknown,
  ): unknown {
    const ns = route.namespace;
    switch (route.route) {
      case 'version':
        return {
          major: '1',
          minor: '30',
          gitVersion: 'v1.30.0-ops-stand-in',
          platform: `${process.platform}/${process.arch}`,
          standIn: this.options.label,
        };
      case 'listDeployments': {
        const match = parseLabelSelector(query.labelSelector);
        const items = [...this.deployments.values()]
          .map(s => s.deployment)
          .filter(d => ns === undefined || d.metadata.namespace === ns)
          .filter(d => match(d.metadata.labels))
          .map(d => {
            const { apiVersion: _a, kind: _k, ...rest } = clone(d);
            return rest;
          });
        return list('DeploymentList', items, this.resourceVersion);
      }
      case 'createDeployment':
        return this.createDeployment(ns!, body as Obj);
      case 'readDeployment':
      case 'readDeploymentStatus':
        return clone(this.state(ns!, route.name!).deployment);
      case 'patchDeployment': {
        const state = this.state(ns!, route.name!);
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
        let next: Obj;
        if (
          type === 'application/merge-patch+json' ||
          type === 'application/strategic-merge-patch+json'
        ) {
          next = applyMergePatch(state.deployment, body);
        } else if (type === 'application/json-patch+json') {
          next = applyJsonPatch(state.deployment, body);
        } else {
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got "${type}")`,
          );
        }
        if (query.dryRun === 'All') {
          return next;
        }
        return this.store(state, next);
      }
      case 'listReplicaSets': {
        const match = parseLabelSelector(query.labelSelector);
        const items = [...this.replicaSets.values()]
          .filter(rs => ns === undefined || rs.metadata.namespace === ns)
          .filter(rs => match(rs.metadata.labels))
          .map(rs => {
            const { apiVersion: _a, kind: _k, ...rest } = clone(rs);
            return rest;
          });
        return list('ReplicaSetList', items, this.resourceVersion);
      }
      case 'readReplicaSet': {
        const rs = this.replicaSets.get(`${ns}/${route.name}`);
        if (!rs) throw notFound('replicasets', route.name!);
        return clone(rs);
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'method not allowed');
    }
  }

  private sendStatus(res: ServerResponse, error: ApiError) {
    if (res.headersSent) return;
    send(res, error.code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: error.message,
      reason: error.reason,
      ...(error.details ? { details: error.details } : {}),
      code: error.code,
    });
  }
}

type MatchedRoute = {
  route: StandInRoute;
  namespace?: string;
  name?: string;
  kind?: 'deployments' | 'replicasets';
};

function matchRoute(method: string, path: string): MatchedRoute | undefined {
  if (path === '/version' && method === 'GET') return { route: 'version' };
  if (path === '/apis/apps/v1/deployments' && method === 'GET') {
    return { route: 'listDeployments' };
  }
  if (path === '/apis/apps/v1/replicasets' && method === 'GET') {
    return { route: 'listReplicaSets' };
  }
  const m =
    /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|replicasets)(?:\/([^/]+))?(?:\/(status))?$/.exec(
      path,
    );
  if (!m) return undefined;
  const namespace = decodeURIComponent(m[1]);
  const kind = m[2] as 'deployments' | 'replicasets';
  const name = m[3] ? decodeURIComponent(m[3]) : undefined;
  const status = Boolean(m[4]);
  if (kind === 'deployments') {
    if (!name) {
      if (method === 'GET')
        return { route: 'listDeployments', namespace, kind };
      if (method === 'POST') {
        return { route: 'createDeployment', namespace, kind };
      }
      return undefined;
    }
    if (status) {
      return method === 'GET'
        ? { route: 'readDeploymentStatus', namespace, name, kind }
        : undefined;
    }
    if (method === 'GET')
      return { route: 'readDeployment', namespace, name, kind };
    if (method === 'PATCH') {
      return { route: 'patchDeployment', namespace, name, kind };
    }
    return undefined;
  }
  if (status || method !== 'GET') return undefined;
  return name
    ? { route: 'readReplicaSet', namespace, name, kind }
    : { route: 'listReplicaSets', namespace, kind };
}

function injectedMessage(status: number, route: MatchedRoute): string {
  const what = route.name
    ? `${route.kind}.apps "${route.name}"`
    : `${route.kind ?? 'resource'}.apps`;
  switch (status) {
    case 403:
      return `${what} is forbidden: User "system:serviceaccount:backstage:backstage" cannot ${verbOf(
        route.route,
      )} resource "${route.kind}" in API group "apps" in the namespace "${
        route.namespace
      }"`;
    case 404:
      return `${what} not found`;
    case 409:
      return `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes to the latest version and try again`;
    default:
      return `injected failure ${status} for ${route.route}`;
  }
}

function verbOf(route: StandInRoute): string {
  if (route.startsWith('list')) return 'list';
  if (route.startsWith('patch')) return 'patch';
  if (route.startsWith('create')) return 'create';
  return 'get';
}

function revisionOf(rs: Obj): number {
  const v = Number(rs.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isFinite(v) ? v : 0;
}

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message?: string,
) {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    type,
    status,
    reason,
    message: message ?? reason,
    lastUpdateTime: now,
    lastTransitionTime: now,
  };
}

function list(kind: string, items: Obj[], resourceVersion: number) {
  return {
    kind,
    apiVersion: 'apps/v1',
    metadata: { resourceVersion: String(resourceVersion) },
    items,
  };
}

function send(res: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      throw new ApiError(
        413,
        'RequestEntityTooLarge',
        'request body too large',
      );
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      400,
      'BadRequest',
      'the body of the request is not valid JSON',
    );
  }
}
