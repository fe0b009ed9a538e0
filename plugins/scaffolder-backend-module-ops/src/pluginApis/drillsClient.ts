import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  createPluginCaller,
  PluginApiOptions,
  PluginCaller,
} from './pluginFetch';

// The parts of the drills plugin's wire types (plugins/drills-common) the
// actions read. Kept here while this module does not depend on
// @internal/plugin-drills-common.

export type DrillParticipantRole =
  | 'lead'
  | 'coordinator'
  | 'observer'
  | 'scribe';

/** `GET /runbooks/:id` (the fields the actions read). */
export interface DrillRunbook {
  id: string;
  kind: string;
  title: string;
  checkpoints: Array<{ id: string; title: string; targetMinutes: number }>;
}

/** A checkpoint of a run, and the answer of reaching one. */
export interface DrillCheckpoint {
  id: string;
  title: string;
  phase: string;
  targetMinutes: number;
  position: number;
  reachedAt: string | null;
  reachedBy: string | null;
  /** Minutes from the start of the run to reaching it; null until reached. */
  elapsedMinutes: number | null;
  /** Reached within its target; false until reached. */
  passed: boolean;
}

/** `POST /runs`, `GET /runs/:id` (the fields the actions read). */
export interface DrillRun {
  id: string;
  scenarioId: string;
  title: string;
  calendarMonth: string | null;
  state: 'running' | 'finished' | 'aborted';
  startedAt: string;
  checkpoints: DrillCheckpoint[];
}

export interface StartDrillRequest {
  scenarioId: string;
  /** YYYY-MM, when the run is that month's calendar drill. */
  calendarMonth?: string;
  participants?: Array<{ entityRef: string; role: DrillParticipantRole }>;
}

/** The drills plugin's API, called on behalf of one person. */
export class DrillsClient {
  static readonly pluginId = 'drills';
  readonly #call: PluginCaller;

  constructor(
    options: PluginApiOptions & {
      credentials: BackstageCredentials;
      signal?: AbortSignal;
    },
  ) {
    this.#call = createPluginCaller(DrillsClient.pluginId, options);
  }

  getRunbook(id: string): Promise<DrillRunbook> {
    return this.#call({
      method: 'GET',
      path: `/runbooks/${encodeURIComponent(id)}`,
    });
  }

  /** Starts a run led by the caller (201). */
  startRun(request: StartDrillRequest): Promise<DrillRun> {
    return this.#call({ method: 'POST', path: '/runs', body: request });
  }

  getRun(runId: string): Promise<DrillRun> {
    return this.#call({
      method: 'GET',
      path: `/runs/${encodeURIComponent(runId)}`,
    });
  }

  /** Records that a checkpoint is reached now; answers it timed. */
  reachCheckpoint(
    runId: string,
    checkpointId: string,
  ): Promise<DrillCheckpoint> {
    return this.#call({
      method: 'POST',
      path: `/runs/${encodeURIComponent(
        runId,
      )}/checkpoints/${encodeURIComponent(checkpointId)}`,
      body: {},
    });
  }
}
