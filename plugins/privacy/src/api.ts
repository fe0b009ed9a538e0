import { createApiRef } from '@backstage/core-plugin-api';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';
import type {
  DsarRequest,
  Region,
  RequestState,
  RequestType,
} from '@internal/plugin-privacy-common';

export interface RequestListQuery {
  limit: number;
  offset: number;
  state?: RequestState;
  type?: RequestType;
  region?: Region;
}

/** The privacy backend, as the frontend sees it. */
export interface PrivacyApi {
  listRequests(query: RequestListQuery): Promise<Page<DsarRequest>>;
}

export const privacyApiRef = createApiRef<PrivacyApi>({
  id: 'plugin.privacy.api',
});

export class PrivacyClient extends OpsApiClient implements PrivacyApi {
  listRequests(query: RequestListQuery) {
    return this.get<Page<DsarRequest>>('/requests', { ...query });
  }
}
