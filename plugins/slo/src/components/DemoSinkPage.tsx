import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { OpsPage, PagedTable } from '@internal/plugin-ops-react';
import type { SloDemoSinkEntry } from '@internal/plugin-slo-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useCallback } from 'react';
import { sloApiRef } from '../api';
import { formatTime } from '../lib/format';
import { rootRouteRef } from '../routes';
import { RequestBody } from './demo/RequestBody';

const columns: TableColumn<SloDemoSinkEntry>[] = [
  { title: 'Target', field: 'target' },
  { title: 'Type', field: 'type' },
  { title: 'Time', render: row => formatTime(row.receivedAt) },
  {
    title: 'Request',
    render: row => (
      <Typography variant="body2" style={{ fontFamily: 'monospace' }}>
        {row.request.method} {row.request.path}
      </Typography>
    ),
  },
  { title: 'Body', render: row => <RequestBody body={row.request.body} /> },
];

/** What each notification target would have sent, recorded instead of sending in demo mode. */
export function DemoSinkPage() {
  const sloApi = useApi(sloApiRef);
  const root = useRouteRef(rootRouteRef)();
  const load = useCallback(
    (page: { limit: number; offset: number }) => sloApi.listDemoSink(page),
    [sloApi],
  );
  return (
    <OpsPage
      title="SLO demo sink"
      subtitle="What each notifier would have sent to its vendor, in demo mode"
    >
      <Box mb={2} display="flex" alignItems="center" style={{ gap: 16 }}>
        <Link to={root}>← Back to the objectives</Link>
        <Chip size="small" variant="outlined" label="Demo" />
        <Typography variant="body2" color="textSecondary">
          Nothing here was sent: the notifiers record their requests instead.
        </Typography>
      </Box>
      <PagedTable
        title="Recorded notifications"
        columns={columns}
        load={load}
        emptyContent={
          <EmptyState
            missing="data"
            title="Nothing recorded yet"
            description="In demo mode every notifier records here what it would have sent when an alert fires, resolves, or is acknowledged or silenced."
          />
        }
      />
    </OpsPage>
  );
}
