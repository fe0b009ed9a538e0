import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { PagedTable } from '@internal/plugin-ops-react';
import type { DsarRequest } from '@internal/plugin-privacy-common';
import Box from '@material-ui/core/Box';
import { useMemo } from 'react';
import { requestRouteRef } from '../../routes';
import { formatDateTime, priorityName } from '../../lib/format';
import { DemoChip } from '../common/DemoChip';
import { RequestStateChip } from '../common/RequestStateChip';
import { SlaCountdown } from '../common/SlaCountdown';
import type { Page } from '@internal/plugin-ops-react';

/** The server-paged DSAR queue; `load` carries the filters. */
export function RequestsTable(props: {
  load: (page: { limit: number; offset: number }) => Promise<Page<DsarRequest>>;
  /** Some filter is set: an empty page means "nothing matches", not "nothing yet". */
  filtered: boolean;
}) {
  const requestPath = useRouteRef(requestRouteRef);
  const columns = useMemo<TableColumn<DsarRequest>[]>(
    () => [
      {
        title: 'Request',
        field: 'id',
        sorting: false,
        render: row => (
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Link to={requestPath({ id: row.id })} title={row.id}>
              {row.id.slice(0, 8)}
            </Link>
            {row.demo && <DemoChip />}
          </Box>
        ),
      },
      { title: 'Type', field: 'type', sorting: false },
      {
        title: 'State',
        field: 'state',
        sorting: false,
        render: row => <RequestStateChip state={row.state} />,
      },
      { title: 'Region', field: 'region', sorting: false },
      {
        title: 'Priority',
        field: 'priority',
        sorting: false,
        render: row => priorityName(row.priority),
      },
      {
        title: 'SLA',
        field: 'slaDueAt',
        sorting: false,
        render: row => <SlaCountdown request={row} />,
      },
      {
        title: 'Legal due',
        field: 'legalDueAt',
        sorting: false,
        render: row => formatDateTime(row.legalDueAt),
      },
      { title: 'Requester', field: 'requester', sorting: false },
    ],
    [requestPath],
  );
  return (
    <PagedTable
      title="DSAR queue"
      columns={columns}
      load={props.load}
      emptyContent={
        props.filtered ? (
          <EmptyState
            missing="data"
            title="No request matches these filters"
            description="Clear a filter to see more of the queue."
          />
        ) : (
          <EmptyState
            missing="data"
            title="No privacy requests yet"
            description="Export and erasure requests appear here once they are submitted to POST /api/privacy/export or /api/privacy/delete."
          />
        )
      }
    />
  );
}
