import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { EvidenceItem } from '@internal/plugin-evidence-common';
import { PagedTable, type Page } from '@internal/plugin-ops-react';
import { useMemo } from 'react';
import { formatBytes, formatDateTime, formatPeriod } from '../../lib/format';
import { itemRouteRef } from '../../routes';
import { unsorted } from '../common/columns';

/** Evidence items paged on the server, each linked to its page. */
export function ItemsTable(props: {
  title?: string;
  load: (page: {
    limit: number;
    offset: number;
  }) => Promise<Page<EvidenceItem>>;
  /** Some filter is set: an empty page means "nothing matches", not "nothing yet". */
  filtered: boolean;
  /** Leave out the entity column (on an entity's own page). */
  hideEntity?: boolean;
}) {
  const itemPath = useRouteRef(itemRouteRef);
  const columns = useMemo<TableColumn<EvidenceItem>[]>(
    () =>
      unsorted<EvidenceItem>([
        {
          title: 'Evidence',
          field: 'title',
          render: row => <Link to={itemPath({ id: row.id })}>{row.title}</Link>,
        },
        { title: 'Type', field: 'type' },
        {
          title: 'Points',
          field: 'points',
          render: row => row.points.join(', '),
        },
        {
          title: 'Filed by',
          field: 'filedBy',
          render: row => row.collector ?? row.filedBy,
        },
        ...(props.hideEntity
          ? []
          : [
              {
                title: 'Entity',
                field: 'entityRef',
                render: (row: EvidenceItem) => row.entityRef ?? '—',
              } as TableColumn<EvidenceItem>,
            ]),
        {
          title: 'Period',
          field: 'periodStart',
          render: row => formatPeriod(row.periodStart, row.periodEnd),
        },
        {
          title: 'Collected',
          field: 'collectedAt',
          render: row => formatDateTime(row.collectedAt),
        },
        {
          title: 'Size',
          field: 'sizeBytes',
          render: row => formatBytes(row.sizeBytes),
        },
        {
          title: 'Hold',
          field: 'legalHold',
          render: row => (row.legalHold ? 'legal hold' : ''),
        },
      ]),
    [itemPath, props.hideEntity],
  );
  return (
    <PagedTable
      title={props.title ?? 'Evidence'}
      columns={columns}
      load={props.load}
      emptyContent={
        props.filtered ? (
          <EmptyState
            missing="data"
            title="No evidence matches these filters"
            description="Clear a filter to see more."
          />
        ) : (
          <EmptyState
            missing="data"
            title="No evidence yet"
            description="Evidence appears here when a collector runs or someone uploads a document."
          />
        )
      }
    />
  );
}
