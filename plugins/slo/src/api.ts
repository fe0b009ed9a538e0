import { createApiRef } from '@backstage/core-plugin-api';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';
import type { SloObjective } from '@internal/plugin-slo-common';

/** The SLO backend, as the frontend sees it. */
export interface SloApi {
  listObjectives(query: {
    limit: number;
    offset: number;
    entityRef?: string;
  }): Promise<Page<SloObjective>>;
}

export const sloApiRef = createApiRef<SloApi>({ id: 'plugin.slo.api' });

export class SloClient extends OpsApiClient implements SloApi {
  listObjectives(query: { limit: number; offset: number; entityRef?: string }) {
    return this.get<Page<SloObjective>>('/objectives', { ...query });
  }
}
