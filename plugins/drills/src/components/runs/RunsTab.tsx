import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  RUN_STATES,
  type RunListItem,
  type RunState,
} from '@internal/plugin-drills-common';
import { PagedTable, formatDateTime } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import { useCallback, useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { drillsApiRef } from '../../api';
import { useDrillsPaths } from '../common/paths';
import { RunStateChip } from '../common/RunStateChip';

/** Every drill run, newest first, filtered by state. */
export function RunsTab() {
  const api = useApi(drillsApiRef);
  const paths = useDrillsPaths();
  const [state, setState] = useState<RunState | ''>('');
  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      api.listRuns({ ...page, ...(state ? { state } : {}) }),
    [api, state],
  );

  const columns = useMemo<TableColumn<RunListItem>[]>(
    () => [
      {
        title: 'Scenario',
        field: 'title',
        render: run => <Link to={paths.run(run.id)}>{run.title}</Link>,
      },
      {
        title: 'State',
        field: 'state',
        render: run => <RunStateChip state={run.state} />,
      },
      { title: 'Lead', field: 'lead' },
      {
        title: 'Started',
        field: 'startedAt',
        render: run => formatDateTime(run.startedAt),
      },
      {
        title: 'Ended',
        field: 'finishedAt',
        render: run => formatDateTime(run.finishedAt ?? run.abortedAt),
      },
      {
        title: 'Progress',
        field: 'progress',
        render: run => `${run.progress.checked}/${run.progress.steps} steps`,
      },
      {
        title: 'Checkpoints passed',
        field: 'checkpoints',
        render: run =>
          `${run.checkpoints.filter(checkpoint => checkpoint.passed).length}/${
            run.checkpoints.length
          }`,
      },
    ],
    [paths],
  );

  return (
    <>
      <Box mb={2}>
        <TextField
          id="drills-run-state"
          select
          label="State"
          value={state}
          onChange={event => setState(event.target.value as RunState | '')}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          margin="dense"
        >
          <option value="">All</option>
          {RUN_STATES.map(runState => (
            <option key={runState} value={runState}>
              {runState}
            </option>
          ))}
        </TextField>
      </Box>
      <PagedTable<RunListItem>
        title="Drill runs"
        columns={columns}
        load={load}
        emptyContent={
          <EmptyState
            missing="data"
            title={state ? `No ${state} drills` : 'No drills run yet'}
            description="A drill lead starts this month's scenario from the calendar, or an ad-hoc drill from there."
            action={
              <Button
                variant="contained"
                color="primary"
                component={RouterLink}
                to={paths.tab('calendar')}
              >
                Open the calendar
              </Button>
            }
          />
        }
      />
    </>
  );
}
