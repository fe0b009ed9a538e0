import { createApiRef } from '@backstage/core-plugin-api';
import type {
  CriterionCoverage,
  CriterionId,
  EvidenceItem,
} from '@internal/plugin-evidence-common';
import { OpsApiClient, Page } from '@internal/plugin-ops-react';

/** The evidence backend, as the frontend sees it. */
export interface EvidenceApi {
  listEvidence(query: {
    limit: number;
    offset: number;
    criterion?: CriterionId;
  }): Promise<Page<EvidenceItem>>;
  getCoverage(): Promise<{ criteria: CriterionCoverage[] }>;
}

export const evidenceApiRef = createApiRef<EvidenceApi>({
  id: 'plugin.evidence.api',
});

export class EvidenceClient extends OpsApiClient implements EvidenceApi {
  listEvidence(query: {
    limit: number;
    offset: number;
    criterion?: CriterionId;
  }) {
    return this.get<Page<EvidenceItem>>('/evidence', { ...query });
  }

  getCoverage() {
    return this.get<{ criteria: CriterionCoverage[] }>('/coverage');
  }
}
