import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  createPluginCaller,
  PluginApiOptions,
  PluginCaller,
} from './pluginFetch';
import { pollUntil } from './poll';

/** How to wait for something the plugin does in the background. */
export type WaitOptions = {
  intervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
};

// The parts of the evidence plugin's wire types (plugins/evidence-common)
// the actions read. Kept here while this module does not depend on
// @internal/plugin-evidence-common.

export type CollectorRunState = 'running' | 'succeeded' | 'failed';

/** `POST /collectors/:id/runs`, and each run of `GET /runs`. */
export interface CollectorRun {
  id: string;
  collector: string;
  entityRef: string | null;
  state: CollectorRunState;
  startedAt: string;
  finishedAt: string | null;
  itemCount: number;
  error: string | null;
}

/** `GET /runs/:id`: the run with the evidence items it filed. */
export interface CollectorRunWithItems extends CollectorRun {
  items: Array<{ id: string; type: string; title: string }>;
}

/** One entry of `GET /collectors`. */
export interface CollectorInfo {
  id: string;
  title: string;
  points: string[];
  perEntity: boolean;
}

export type BinderState = 'queued' | 'building' | 'ready' | 'failed';

/** `POST /binders`, `GET /binders/:id`. */
export interface Binder {
  id: string;
  periodStart: string;
  periodEnd: string;
  points: string[];
  state: BinderState;
  progress: {
    files: number;
    totalFiles: number;
    bytes: number;
    totalBytes: number;
  };
  sha256: string | null;
  sizeBytes: number | null;
  finishedAt: string | null;
  error: string | null;
}

/** The evidence plugin's API, called on behalf of one person. */
export class EvidenceClient {
  static readonly pluginId = 'evidence';
  readonly #call: PluginCaller;

  constructor(
    options: PluginApiOptions & {
      credentials: BackstageCredentials;
      signal?: AbortSignal;
    },
  ) {
    this.#call = createPluginCaller(EvidenceClient.pluginId, options);
  }

  listCollectors(): Promise<CollectorInfo[]> {
    return this.#call({ method: 'GET', path: '/collectors' });
  }

  /** Starts a collector run (202); the run goes on in the plugin. */
  startRun(collectorId: string, entityRef?: string): Promise<CollectorRun> {
    return this.#call({
      method: 'POST',
      path: `/collectors/${encodeURIComponent(collectorId)}/runs`,
      body: entityRef ? { entityRef } : {},
    });
  }

  getRun(runId: string): Promise<CollectorRunWithItems> {
    return this.#call({
      method: 'GET',
      path: `/runs/${encodeURIComponent(runId)}`,
    });
  }

  /**
   * Reads the run until it is no longer `running`, or until the timeout
   * (then `timedOut` is true and the run is as last read). `onProgress` is
   * called when its count of filed items changes.
   */
  waitForRun(
    runId: string,
    options: WaitOptions & {
      onProgress?: (run: CollectorRunWithItems) => void;
    },
  ): Promise<{ value: CollectorRunWithItems; timedOut: boolean }> {
    let seen = -1;
    return pollUntil({
      ...options,
      read: () => this.getRun(runId),
      done: run => run.state !== 'running',
      onValue: run => {
        if (run.itemCount !== seen) {
          seen = run.itemCount;
          options.onProgress?.(run);
        }
      },
    });
  }

  /** Requests a binder (202); it is built in the plugin. */
  requestBinder(request: {
    periodStart: string;
    periodEnd: string;
    points?: string[];
  }): Promise<Binder> {
    return this.#call({ method: 'POST', path: '/binders', body: request });
  }

  getBinder(binderId: string): Promise<Binder> {
    return this.#call({
      method: 'GET',
      path: `/binders/${encodeURIComponent(binderId)}`,
    });
  }

  /**
   * Reads the binder until it is `ready` or `failed`, or until the timeout.
   * `onProgress` is called when its state or count of written files changes.
   */
  waitForBinder(
    binderId: string,
    options: WaitOptions & { onProgress?: (binder: Binder) => void },
  ): Promise<{ value: Binder; timedOut: boolean }> {
    let seen = '';
    return pollUntil({
      ...options,
      read: () => this.getBinder(binderId),
      done: binder => binder.state === 'ready' || binder.state === 'failed',
      onValue: binder => {
        const now = `${binder.state} ${binder.progress.files}`;
        if (now !== seen) {
          seen = now;
          options.onProgress?.(binder);
        }
      },
    });
  }
}
