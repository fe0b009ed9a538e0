import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  createPluginCaller,
  PluginApiOptions,
  PluginCaller,
} from '../pluginApis/pluginFetch';

// The parts of the SLO plugin's wire types (plugins/slo-common/src/api.ts and
// evaluation.ts) the health check reads. Kept here while this module does not
// depend on @internal/plugin-slo-common.

/** The burn rate of one window (`BurnRate`). */
export interface SloBurnRate {
  burnRate: number;
  /** The window had no events: it burns nothing. */
  noTraffic: boolean;
}

/** One alert tier evaluated at a minute (`SloTierEvaluation`). */
export interface SloTierStatus {
  name: string;
  severity: 'page' | 'ticket';
  threshold: number;
  long: SloBurnRate;
  short: SloBurnRate;
  /** Both windows burn at or above the threshold. */
  firing: boolean;
}

/** `GET /objectives/:ref/status` (the fields read). */
export interface SloObjectiveStatus {
  objectiveRef: string;
  at: string;
  sli: number | null;
  firing: string[];
  tiers: SloTierStatus[];
  dataThrough: string | null;
}

/** An objective as `GET /objectives` lists it (the fields read). */
export interface SloObjectiveListItem {
  id: string;
  displayName: string;
  entityRef?: string;
}

interface Page<T> {
  items: T[];
  totalCount: number;
  limit: number;
  offset: number;
}

/** The SLO plugin's API, called on behalf of one person. */
export class SloClient {
  static readonly pluginId = 'slo';
  readonly #call: PluginCaller;

  constructor(
    options: PluginApiOptions & {
      credentials: BackstageCredentials;
      signal?: AbortSignal;
    },
  ) {
    this.#call = createPluginCaller(SloClient.pluginId, options);
  }

  /** Every objective of an entity (`GET /objectives?entityRef=`, all pages). */
  async listObjectives(entityRef: string): Promise<SloObjectiveListItem[]> {
    const items: SloObjectiveListItem[] = [];
    for (;;) {
      const query = new URLSearchParams({
        entityRef,
        limit: '100',
        offset: String(items.length),
      });
      const page = await this.#call<Page<SloObjectiveListItem>>({
        method: 'GET',
        path: `/objectives?${query}`,
      });
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.totalCount) {
        return items;
      }
    }
  }

  /** An objective evaluated as of the last whole minute. */
  getStatus(objectiveId: string): Promise<SloObjectiveStatus> {
    return this.#call({
      method: 'GET',
      path: `/objectives/${encodeURIComponent(objectiveId)}/status`,
    });
  }
}
