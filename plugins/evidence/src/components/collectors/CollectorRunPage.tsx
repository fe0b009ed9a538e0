import {
  InfoCard,
  Link,
  Progress,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { LoadErrorPanel, OpsPage } from '@internal/plugin-ops-react';
import Grid from '@material-ui/core/Grid';
import LinearProgress from '@material-ui/core/LinearProgress';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { useCallback } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { evidenceApiRef, type CollectorRunDetail } from '../../api';
import { useLive } from '../../hooks/useLive';
import { formatDateTime, formatPeriod } from '../../lib/format';
import { itemRouteRef } from '../../routes';
import { LogBlock } from '../common/LogBlock';
import { RunStateChip } from '../common/StateChip';
import { runDuration } from './RunsTable';

const finished = (run: CollectorRunDetail) => run.state !== 'running';

function RunView(props: { run: CollectorRunDetail }) {
  const api = useApi(evidenceApiRef);
  const itemPath = useRouteRef(itemRouteRef);
  const { id } = props.run;
  const load = useCallback(() => api.getRun(id), [api, id]);
  const { value: run } = useLive({
    initial: props.run,
    load,
    settled: finished,
  });
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        <InfoCard title="Run">
          {run.state === 'running' && <LinearProgress />}
          <StructuredMetadataTable
            dense
            options={{ titleFormat: key => key }}
            metadata={{
              Collector: run.collector,
              State: <RunStateChip state={run.state} />,
              Trigger: run.trigger,
              'Requested by': run.requestedBy,
              Entity: run.entityRef ?? '—',
              Started: formatDateTime(run.startedAt),
              Finished: formatDateTime(run.finishedAt),
              Took: runDuration(run),
              'Items filed': String(run.itemCount),
              Error: run.error ?? '—',
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={7}>
        <InfoCard title={`Evidence filed (${run.items?.length ?? 0})`}>
          {(run.items ?? []).length === 0 ? (
            <Typography color="textSecondary">
              {run.state === 'running'
                ? 'Nothing filed yet.'
                : 'This run filed no evidence.'}
            </Typography>
          ) : (
            <List dense>
              {run.items.map(item => (
                <ListItem key={item.id}>
                  <ListItemText
                    primary={
                      <Link to={itemPath({ id: item.id })}>{item.title}</Link>
                    }
                    secondary={`${item.type} · ${item.points.join(
                      ', ',
                    )} · ${formatPeriod(item.periodStart, item.periodEnd)}${
                      item.entityRef ? ` · ${item.entityRef}` : ''
                    }`}
                  />
                </ListItem>
              ))}
            </List>
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Log">
          <LogBlock log={run.log} label="Run log" />
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/** One collector run: its outcome, its log and the evidence it filed; followed while it runs. */
export function CollectorRunPage() {
  const api = useApi(evidenceApiRef);
  const { id = '' } = useParams();
  const run = useAsyncRetry(() => api.getRun(id), [api, id]);
  return (
    <OpsPage title="Collector run" subtitle={`Run ${id}`}>
      {run.error && (
        <LoadErrorPanel
          error={run.error}
          what={`run ${id}`}
          retry={run.retry}
        />
      )}
      {!run.error && !run.value && <Progress />}
      {run.value && <RunView run={run.value} />}
    </OpsPage>
  );
}
