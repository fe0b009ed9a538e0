import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { drillsApiRef } from '../../api';
import { ScenarioHistoryCard } from './ScenarioHistoryCard';

/** Per scenario, how fast each finished drill detected, responded and recovered. */
export function HistoryTab() {
  const api = useApi(drillsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getHistory(),
    [api],
  );
  if (loading) return <Progress />;
  if (error)
    return <LoadErrorPanel error={error} what="history" retry={retry} />;

  const scenarios = (value ?? []).filter(scenario => scenario.runs.length > 0);
  if (scenarios.length === 0) {
    return (
      <InfoCard>
        <EmptyState
          missing="data"
          title="No drill has finished yet"
          description="Trends appear here once a drill run is finished: time to detect, respond and recover, and how many checkpoints were met."
        />
      </InfoCard>
    );
  }
  return (
    <Grid container spacing={3}>
      {scenarios.map(scenario => (
        <Grid item xs={12} lg={6} key={scenario.scenarioId}>
          <ScenarioHistoryCard history={scenario} />
        </Grid>
      ))}
    </Grid>
  );
}
