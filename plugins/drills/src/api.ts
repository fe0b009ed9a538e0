import { createApiRef } from '@backstage/core-plugin-api';
import type { DrillRun, DrillRunState } from '@internal/plugin-drills-common';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';

/** The drills backend, as the frontend sees it. */
export interface DrillsApi {
  listRuns(query: {
    limit: number;
    offset: number;
    state?: DrillRunState;
  }): Promise<Page<DrillRun>>;
}

export const drillsApiRef = createApiRef<DrillsApi>({
  id: 'plugin.drills.api',
});

export class DrillsClient extends OpsApiClient implements DrillsApi {
  listRuns(query: { limit: number; offset: number; state?: DrillRunState }) {
    return this.get<Page<DrillRun>>('/runs', { ...query });
  }
}
