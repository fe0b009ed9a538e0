import { EmptyState, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { OpsPage, PagedTable } from '@internal/plugin-ops-react';
import type { DsarRequest } from '@internal/plugin-privacy-common';
import { useCallback } from 'react';
import { privacyApiRef } from '../api';

const columns: TableColumn<DsarRequest>[] = [
  { title: 'Request', field: 'id' },
  { title: 'Type', field: 'type' },
  { title: 'State', field: 'state' },
  { title: 'Region', field: 'region' },
  { title: 'Priority', field: 'priority' },
  { title: 'Received', field: 'createdAt', type: 'datetime' },
  { title: 'SLA due', field: 'slaDueAt', type: 'datetime' },
  { title: 'Legal due', field: 'legalDueAt', type: 'datetime' },
];

/** The DSAR queue: every export and erasure request, newest first. */
export function PrivacyPage() {
  const privacyApi = useApi(privacyApiRef);
  const load = useCallback(
    (page: { limit: number; offset: number }) => privacyApi.listRequests(page),
    [privacyApi],
  );
  return (
    <OpsPage
      title="Privacy requests"
      subtitle="GDPR and CCPA exports and erasures, per region, against their SLA"
    >
      <PagedTable
        title="DSAR queue"
        columns={columns}
        load={load}
        emptyContent={
          <EmptyState
            missing="data"
            title="No privacy requests yet"
            description="Export and erasure requests appear here once they are submitted to POST /api/privacy/export or /api/privacy/delete."
          />
        }
      />
    </OpsPage>
  );
}
