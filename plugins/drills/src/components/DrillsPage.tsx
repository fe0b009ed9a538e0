import { EmptyState, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { DrillRun } from '@internal/plugin-drills-common';
import { OpsPage, PagedTable } from '@internal/plugin-ops-react';
import { useCallback } from 'react';
import { drillsApiRef } from '../api';

const columns: TableColumn<DrillRun>[] = [
  { title: 'Scenario', field: 'scenarioId' },
  { title: 'State', field: 'state' },
  { title: 'Lead', field: 'lead' },
  { title: 'Scheduled for', field: 'scheduledFor', type: 'date' },
  { title: 'Started', field: 'startedAt', type: 'datetime' },
  { title: 'Completed', field: 'completedAt', type: 'datetime' },
];

/** DR drill runs, most recently scheduled first. */
export function DrillsPage() {
  const drillsApi = useApi(drillsApiRef);
  const load = useCallback(
    (page: { limit: number; offset: number }) => drillsApi.listRuns(page),
    [drillsApi],
  );
  return (
    <OpsPage
      title="DR drills"
      subtitle="Monthly disaster-recovery drills, their steps, checkpoints and reports"
    >
      <PagedTable
        title="Drill runs"
        columns={columns}
        load={load}
        emptyContent={
          <EmptyState
            missing="data"
            title="No drills run yet"
            description="Runs appear here once a drill lead starts a scenario from the runbooks."
          />
        }
      />
    </OpsPage>
  );
}
