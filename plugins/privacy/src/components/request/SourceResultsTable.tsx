import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  RequestType,
  SourceResult,
} from '@internal/plugin-privacy-common';
import { formatDateTime } from '../../lib/format';

function SourceStatus(props: { status: SourceResult['status'] }) {
  switch (props.status) {
    case 'done':
      return <StatusOK>done</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    default:
      return <StatusPending>pending</StatusPending>;
  }
}

function Remaining(props: { remaining: number | null }) {
  if (props.remaining === null) return <>—</>;
  return props.remaining === 0 ? (
    <StatusOK>0</StatusOK>
  ) : (
    <StatusWarning>{props.remaining}</StatusWarning>
  );
}

/** What each personal-data store did for this request. */
export function SourceResultsTable(props: {
  type: RequestType;
  sources: SourceResult[];
}) {
  const columns: TableColumn<SourceResult>[] = [
    {
      title: 'Source',
      render: row => (
        <EntityRefLink entityRef={row.source} defaultKind="resource" />
      ),
    },
    { title: 'Connection', field: 'connection' },
    { title: 'Status', render: row => <SourceStatus status={row.status} /> },
    {
      title: props.type === 'export' ? 'Records exported' : 'Records erased',
      field: 'records',
      type: 'numeric',
    },
    ...(props.type === 'delete'
      ? [
          {
            title: 'Remaining',
            render: (row: SourceResult) => (
              <Remaining remaining={row.remaining} />
            ),
          },
        ]
      : []),
    { title: 'Finished', render: row => formatDateTime(row.finishedAt) },
    { title: 'Error', render: row => row.error ?? '—' },
  ];
  return (
    <Table
      title="Data sources"
      columns={columns}
      data={props.sources}
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        sorting: false,
      }}
      emptyContent={
        <div style={{ padding: 16 }}>No source has reported yet.</div>
      }
    />
  );
}
