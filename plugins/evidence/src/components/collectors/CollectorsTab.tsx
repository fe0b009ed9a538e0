import {
  EmptyState,
  Link,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  evidenceCollectorRunPermission,
  type CollectorInfo,
} from '@internal/plugin-evidence-common';
import { LoadErrorPanel, submitErrorMessage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { evidenceApiRef } from '../../api';
import { usePermitted } from '../../hooks/usePermitted';
import { formatDateTime } from '../../lib/format';
import { runRouteRef } from '../../routes';
import { RunStateChip } from '../common/StateChip';
import { RunsTable } from './RunsTable';
import { unsorted } from '../common/columns';

/** The installed collectors with their last run, and every run before. */
export function CollectorsTab() {
  const api = useApi(evidenceApiRef);
  const runPath = useRouteRef(runRouteRef);
  const navigate = useNavigate();
  const permitted = usePermitted(evidenceCollectorRunPermission);
  const collectors = useAsyncRetry(() => api.listCollectors(), [api]);
  const [startError, setStartError] = useState<string>();
  const [starting, setStarting] = useState<string>();

  const columns = useMemo<TableColumn<CollectorInfo>[]>(() => {
    const run = async (collector: CollectorInfo) => {
      setStartError(undefined);
      setStarting(collector.id);
      try {
        const started = await api.runCollector(collector.id);
        navigate(runPath({ id: started.id }));
      } catch (error) {
        setStartError(
          `Could not start ${collector.title}: ${submitErrorMessage(error)}`,
        );
      } finally {
        setStarting(undefined);
      }
    };
    return unsorted<CollectorInfo>([
      {
        title: 'Collector',
        field: 'title',
        render: row => (
          <Box>
            <strong>{row.title}</strong>
            <Box fontSize="0.8rem" color="text.secondary">
              {row.description}
            </Box>
          </Box>
        ),
      },
      { title: 'Id', field: 'id' },
      {
        title: 'Points',
        field: 'points',
        render: row => row.points.join(', '),
      },
      { title: 'Cadence', field: 'cadence' },
      {
        title: 'Per entity',
        field: 'perEntity',
        render: row => (row.perEntity ? 'yes' : 'no'),
      },
      {
        title: 'Last run',
        field: 'lastRun',
        render: row =>
          row.lastRun ? (
            <Box display="flex" alignItems="center" style={{ gap: 8 }}>
              <RunStateChip state={row.lastRun.state} />
              <Link to={runPath({ id: row.lastRun.id })}>
                {formatDateTime(row.lastRun.startedAt)}
              </Link>
            </Box>
          ) : (
            'never'
          ),
      },
      {
        title: '',
        field: 'id',
        render: row => (
          <Button
            size="small"
            variant="outlined"
            color="primary"
            disabled={!permitted.allowed || starting === row.id}
            onClick={() => run(row)}
          >
            Run now
          </Button>
        ),
      },
    ]);
  }, [api, navigate, runPath, permitted.allowed, starting]);

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        {startError && (
          <Alert severity="error" role="alert">
            {startError}
          </Alert>
        )}
        {collectors.error && (
          <LoadErrorPanel
            error={collectors.error}
            what="collectors"
            retry={collectors.retry}
          />
        )}
        {collectors.loading && !collectors.value && <Progress />}
        {collectors.value && (
          <Table<CollectorInfo>
            title="Collectors"
            columns={columns}
            data={collectors.value}
            options={{ paging: false, search: false, padding: 'dense' }}
            emptyContent={
              <EmptyState
                missing="data"
                title="No collectors installed"
                description="Collectors are backend modules; install one to collect evidence."
              />
            }
          />
        )}
      </Grid>
      <Grid item xs={12}>
        <RunsTable collectors={collectors.value ?? []} />
      </Grid>
    </Grid>
  );
}
