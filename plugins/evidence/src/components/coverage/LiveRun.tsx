import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import type { CollectorRun } from '@internal/plugin-evidence-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { useCallback } from 'react';
import { evidenceApiRef } from '../../api';
import { useLive } from '../../hooks/useLive';
import { runRouteRef } from '../../routes';
import { RunStateChip } from '../common/StateChip';

const finished = (run: CollectorRun) => run.state !== 'running';

/**
 * A collector run started from this page, followed until it finishes;
 * `onSettled` then gets the finished run.
 */
export function LiveRun(props: {
  run: CollectorRun;
  title: string;
  onSettled: (run: CollectorRun) => void;
}) {
  const api = useApi(evidenceApiRef);
  const runPath = useRouteRef(runRouteRef);
  const { run: initial, onSettled } = props;
  const load = useCallback(() => api.getRun(initial.id), [api, initial.id]);
  const { value: run, error } = useLive({
    initial,
    load,
    settled: finished,
    onSettled,
  });
  return (
    <Box
      py={1}
      role="status"
      aria-label={`Run of ${props.title}`}
      aria-busy={run.state === 'running'}
    >
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="body2">
          <strong>{props.title}</strong>
        </Typography>
        <RunStateChip state={run.state} />
        <Typography variant="body2" color="textSecondary">
          {run.state === 'running' && 'collecting…'}
          {run.state === 'succeeded' &&
            `${run.itemCount} item${run.itemCount === 1 ? '' : 's'} filed`}
          {run.state === 'failed' && (run.error ?? 'failed')}
        </Typography>
        <Link to={runPath({ id: run.id })}>Log</Link>
      </Box>
      {run.state === 'running' && <LinearProgress />}
      {error && (
        <Typography variant="caption" color="error">
          Could not read the run: {error.message}
        </Typography>
      )}
    </Box>
  );
}
