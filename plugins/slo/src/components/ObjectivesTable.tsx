import { EmptyState, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { PagedTable } from '@internal/plugin-ops-react';
import type { SloObjective } from '@internal/plugin-slo-common';
import { useCallback } from 'react';
import { sloApiRef } from '../api';

const columns: TableColumn<SloObjective>[] = [
  { title: 'Service', field: 'entityRef' },
  { title: 'Objective', field: 'name' },
  {
    title: 'Target',
    field: 'target',
    render: row => `${(row.target * 100).toFixed(2)}%`,
  },
  {
    title: 'Window',
    field: 'windowDays',
    render: row => `${row.windowDays} days`,
  },
];

/** Objectives, of every service or of one (`entityRef`). */
export function ObjectivesTable(props: { entityRef?: string }) {
  const sloApi = useApi(sloApiRef);
  const { entityRef } = props;
  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      sloApi.listObjectives({ ...page, entityRef }),
    [sloApi, entityRef],
  );
  return (
    <PagedTable
      title="Objectives"
      columns={entityRef ? columns.slice(1) : columns}
      load={load}
      emptyContent={
        <EmptyState
          missing="data"
          title="No objectives yet"
          description="Objectives appear here once a service links its OpenSLO file with the slo.ops.portal/objectives annotation and the SLO engine has loaded it."
        />
      }
    />
  );
}
