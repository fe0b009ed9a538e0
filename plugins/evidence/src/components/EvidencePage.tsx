import { EmptyState, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import type { EvidenceItem } from '@internal/plugin-evidence-common';
import { OpsPage, PagedTable } from '@internal/plugin-ops-react';
import { useCallback } from 'react';
import { evidenceApiRef } from '../api';
import { CoverageGrid } from './CoverageGrid';

const columns: TableColumn<EvidenceItem>[] = [
  { title: 'Criterion', field: 'criterion' },
  { title: 'Evidence', field: 'title' },
  { title: 'Source', field: 'source' },
  { title: 'Collected', field: 'collectedAt', type: 'datetime' },
  { title: 'Retained until', field: 'retainUntil', type: 'date' },
  {
    title: 'SHA-256',
    field: 'sha256',
    render: row => <code>{row.sha256.slice(0, 12)}…</code>,
  },
];

/** SOC 2 coverage of CC1-CC9 and the evidence behind it. */
export function EvidencePage() {
  const evidenceApi = useApi(evidenceApiRef);
  const load = useCallback(
    (page: { limit: number; offset: number }) => evidenceApi.listEvidence(page),
    [evidenceApi],
  );
  return (
    <OpsPage
      title="SOC 2 evidence"
      subtitle="Trust Services Criteria coverage and the evidence an auditor will read"
    >
      <CoverageGrid />
      <Box mt={3}>
        <PagedTable
          title="Evidence"
          columns={columns}
          load={load}
          emptyContent={
            <EmptyState
              missing="data"
              title="No evidence collected yet"
              description="Evidence appears here when a collector runs or a rollback, drill or access review files it."
            />
          }
        />
      </Box>
    </OpsPage>
  );
}
