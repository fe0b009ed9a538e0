import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Page, PagedTable } from '@internal/plugin-ops-react';
import type { SloObjectiveSummary } from '@internal/plugin-slo-common';
import Typography from '@material-ui/core/Typography';
import { useMemo } from 'react';
import type { PageQuery } from '../../api';
import { formatPercent, objectivePath } from '../../lib/format';
import { rootRouteRef } from '../../routes';
import { BudgetBar } from '../common/BudgetBar';
import { BurnRates } from '../common/BurnRates';
import { ServiceLink } from '../common/ServiceLink';
import { StateChip } from '../common/StateChip';

/** Shown when no objective exists at all (not merely none matching the filters). */
export function NoObjectivesYet() {
  return (
    <EmptyState
      missing="data"
      title="No objectives yet"
      description="No objectives yet: annotate a component with slo.ops.portal/objectives (the path or URL of its OpenSLO file) and the SLO engine lists it here once it has read the file."
    />
  );
}

/** Every objective, with its numbers now, paged and filtered on the server. */
export function ObjectivesTable(props: {
  load: (page: PageQuery) => Promise<Page<SloObjectiveSummary>>;
  filtered: boolean;
}) {
  const root = useRouteRef(rootRouteRef)();
  const columns = useMemo<TableColumn<SloObjectiveSummary>[]>(
    () => [
      {
        title: 'Objective',
        field: 'displayName',
        render: row => (
          <Link to={objectivePath(root, row.id)}>
            {row.displayName || row.name}
          </Link>
        ),
      },
      { title: 'Service', render: row => <ServiceLink objective={row} /> },
      {
        title: 'Owner',
        render: row =>
          row.owner ? (
            <EntityRefLink entityRef={row.owner} defaultKind="group" />
          ) : (
            '–'
          ),
      },
      { title: 'Target', render: row => formatPercent(row.target, 2) },
      { title: 'Window', field: 'windowLabel' },
      {
        title: 'SLI now',
        render: row => formatPercent(row.status?.sli, 3),
      },
      {
        title: 'Budget remaining',
        render: row => <BudgetBar remaining={row.status?.budgetRemaining} />,
      },
      {
        title: 'Burn (long / short)',
        render: row => <BurnRates objective={row} />,
      },
      { title: 'State', render: row => <StateChip state={row.state} /> },
    ],
    [root],
  );
  return (
    <PagedTable
      title="Objectives"
      columns={columns}
      load={props.load}
      emptyContent={
        props.filtered ? (
          <Typography variant="body2" align="center">
            No objective matches these filters.
          </Typography>
        ) : (
          <NoObjectivesYet />
        )
      }
    />
  );
}
