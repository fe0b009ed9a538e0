import {
  EmptyState,
  Progress,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { Binder } from '@internal/plugin-evidence-common';
import { LoadErrorPanel, PagedTable } from '@internal/plugin-ops-react';
import Grid from '@material-ui/core/Grid';
import { useCallback, useMemo, useState } from 'react';
import { evidenceApiRef } from '../../api';
import { useCriteria } from '../../hooks/useReference';
import { formatDateTime, formatPeriod } from '../../lib/format';
import { BinderForm } from './BinderForm';
import { BinderStatus } from './BinderStatus';
import { PublicKeyCard } from './PublicKeyCard';
import { unsorted } from '../common/columns';

/** Build binders, follow their progress, download and verify them; the key to check them with. */
export function BindersTab() {
  const api = useApi(evidenceApiRef);
  const criteria = useCriteria();
  const [generation, setGeneration] = useState(0);
  const load = useCallback(
    (page: { limit: number; offset: number }) => api.listBinders(page),
    [api],
  );
  const onCreated = useCallback(() => setGeneration(g => g + 1), []);
  const columns = useMemo<TableColumn<Binder>[]>(
    () =>
      unsorted<Binder>([
        {
          title: 'Requested',
          field: 'createdAt',
          render: row => formatDateTime(row.createdAt),
        },
        {
          title: 'Period',
          field: 'periodStart',
          render: row => formatPeriod(row.periodStart, row.periodEnd),
        },
        {
          title: 'Points',
          field: 'points',
          render: row =>
            row.points.length > 6
              ? `${row.points.length} points`
              : row.points.join(', '),
        },
        { title: 'By', field: 'createdBy' },
        {
          title: 'State',
          field: 'state',
          render: row => <BinderStatus binder={row} />,
        },
      ]),
    [],
  );

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        {criteria.error && (
          <LoadErrorPanel error={criteria.error} what="the criteria" />
        )}
        {criteria.loading && <Progress />}
        {criteria.value && (
          <BinderForm criteria={criteria.value} onCreated={onCreated} />
        )}
      </Grid>
      <Grid item xs={12} md={6}>
        <PublicKeyCard />
      </Grid>
      <Grid item xs={12}>
        {/* A new binder remounts the table: back to the first page, reloaded. */}
        <PagedTable
          key={generation}
          title="Binders"
          columns={columns}
          load={load}
          initialPageSize={10}
          emptyContent={
            <EmptyState
              missing="data"
              title="No binders yet"
              description="Build one above for the period the auditor asks for."
            />
          }
        />
      </Grid>
    </Grid>
  );
}
