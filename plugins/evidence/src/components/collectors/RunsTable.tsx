import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import type {
  CollectorInfo,
  CollectorRun,
  CollectorRunState,
} from '@internal/plugin-evidence-common';
import { PagedTable } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import { useCallback, useMemo, useState } from 'react';
import { evidenceApiRef } from '../../api';
import { formatDateTime } from '../../lib/format';
import { runRouteRef } from '../../routes';
import { RunStateChip } from '../common/StateChip';
import { unsorted } from '../common/columns';

const RUN_STATES: CollectorRunState[] = ['running', 'succeeded', 'failed'];

/** Seconds or minutes between start and finish; '—' while running. */
export function runDuration(run: CollectorRun): string {
  if (!run.finishedAt) return '—';
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${(ms / 60_000).toFixed(1)} min`;
}

/** Every collector run, newest first, paged on the server and filtered by collector and state. */
export function RunsTable(props: { collectors: CollectorInfo[] }) {
  const api = useApi(evidenceApiRef);
  const runPath = useRouteRef(runRouteRef);
  const [collector, setCollector] = useState('');
  const [state, setState] = useState<CollectorRunState | ''>('');
  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      api.listRuns({
        ...page,
        ...(collector ? { collector } : {}),
        ...(state ? { state } : {}),
      }),
    [api, collector, state],
  );
  const columns = useMemo<TableColumn<CollectorRun>[]>(
    () =>
      unsorted<CollectorRun>([
        {
          title: 'Started',
          field: 'startedAt',
          render: row => (
            <Link to={runPath({ id: row.id })}>
              {formatDateTime(row.startedAt)}
            </Link>
          ),
        },
        { title: 'Collector', field: 'collector' },
        {
          title: 'State',
          field: 'state',
          render: row => <RunStateChip state={row.state} />,
        },
        { title: 'Items', field: 'itemCount', type: 'numeric' as const },
        { title: 'Took', field: 'finishedAt', render: runDuration },
        { title: 'Trigger', field: 'trigger' },
        {
          title: 'Entity',
          field: 'entityRef',
          render: row => row.entityRef ?? '—',
        },
        { title: 'Requested by', field: 'requestedBy' },
        {
          title: 'Error',
          field: 'error',
          render: row => row.error ?? '',
        },
      ]),
    [runPath],
  );
  return (
    <>
      <Box mb={2}>
        <Grid container spacing={2}>
          <Grid item>
            <TextField
              select
              id="runs-filter-collector"
              label="Collector"
              value={collector}
              onChange={event => setCollector(event.target.value)}
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
              variant="outlined"
              size="small"
            >
              <option value="">Any</option>
              {props.collectors.map(c => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </TextField>
          </Grid>
          <Grid item>
            <TextField
              select
              id="runs-filter-state"
              label="State"
              value={state}
              onChange={event =>
                setState(event.target.value as CollectorRunState | '')
              }
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
              variant="outlined"
              size="small"
            >
              <option value="">Any</option>
              {RUN_STATES.map(s => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </TextField>
          </Grid>
        </Grid>
      </Box>
      <PagedTable
        title="Run history"
        columns={columns}
        load={load}
        emptyContent={
          <EmptyState
            missing="data"
            title={
              collector || state
                ? 'No run matches these filters'
                : 'No runs yet'
            }
            description="A run is recorded each time a collector runs, on its schedule or on demand."
          />
        }
      />
    </>
  );
}
