import { EmptyState, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  evidenceCollectorRunPermission,
  type CollectorRun,
} from '@internal/plugin-evidence-common';
import { LoadErrorPanel, submitErrorMessage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { evidenceApiRef } from '../../api';
import { usePermitted } from '../../hooks/usePermitted';
import { useCollectors } from '../../hooks/useReference';
import { CollectControls, CriterionAccordion } from './CriterionAccordion';
import { CoverageSummary } from './CoverageSummary';
import { LiveRun } from './LiveRun';

/**
 * Coverage of every criterion, computed by the backend from evidence and
 * exception rows: the counts, a bar per criterion, and each criterion
 * expanding into its points with "collect now".
 */
export function CoverageTab() {
  const api = useApi(evidenceApiRef);
  const coverage = useAsyncRetry(() => api.getCoverage(), [api]);
  const collectors = useCollectors();
  const permitted = usePermitted(evidenceCollectorRunPermission);
  const [runs, setRuns] = useState<Record<string, CollectorRun>>({});
  const [collectError, setCollectError] = useState<string>();
  const { retry } = coverage;

  const collect = useCallback(
    async (collectorId: string) => {
      setCollectError(undefined);
      try {
        const run = await api.runCollector(collectorId);
        setRuns(previous => ({ ...previous, [collectorId]: run }));
      } catch (error) {
        setCollectError(
          `Could not start ${collectorId}: ${submitErrorMessage(error)}`,
        );
      }
    },
    [api],
  );

  const onSettled = useCallback(
    (run: CollectorRun) => {
      setRuns(previous => ({ ...previous, [run.collector]: run }));
      retry();
    },
    [retry],
  );

  const controls = useMemo<CollectControls>(
    () => ({
      collectors: new Map((collectors.value ?? []).map(c => [c.id, c])),
      running: new Set(
        Object.values(runs)
          .filter(run => run.state === 'running')
          .map(run => run.collector),
      ),
      allowed: permitted.allowed,
      collect,
    }),
    [collectors.value, runs, permitted.allowed, collect],
  );

  if (coverage.error) {
    return <LoadErrorPanel error={coverage.error} what="coverage" retry={retry} />;
  }
  const report = coverage.value;
  if (!report) return <Progress />;
  if (report.criteria.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No criteria configured"
        description="The backend serves no criteria to cover."
      />
    );
  }
  const started = Object.values(runs);
  const nothingFiled = report.criteria.every(criterion =>
    criterion.points.every(point => point.itemCount === 0),
  );
  const collectorTitle = (id: string) =>
    controls.collectors.get(id)?.title ?? id;

  return (
    <Grid container spacing={3}>
      {nothingFiled && (
        <Grid item xs={12}>
          <Alert severity="info">
            No evidence collected yet: every point without an exception is
            missing. Run a collector below, or upload a document on the
            Evidence tab.
          </Alert>
        </Grid>
      )}
      <Grid item xs={12}>
        <CoverageSummary report={report} />
      </Grid>
      {collectError && (
        <Grid item xs={12}>
          <Alert severity="error" role="alert">
            {collectError}
          </Alert>
        </Grid>
      )}
      {collectors.error && (
        <Grid item xs={12}>
          <Alert severity="warning">
            Could not load the collectors, so none can be run from here:{' '}
            {collectors.error.message}
          </Alert>
        </Grid>
      )}
      {started.length > 0 && (
        <Grid item xs={12}>
          <Paper variant="outlined">
            <Box px={2} py={1}>
              <Typography variant="subtitle2">
                Collections started here
              </Typography>
              {started.map(run => (
                <LiveRun
                  key={run.id}
                  run={run}
                  title={collectorTitle(run.collector)}
                  onSettled={onSettled}
                />
              ))}
            </Box>
          </Paper>
        </Grid>
      )}
      <Grid item xs={12}>
        {report.criteria.map(criterion => (
          <CriterionAccordion
            key={criterion.id}
            criterion={criterion}
            controls={controls}
          />
        ))}
      </Grid>
    </Grid>
  );
}
