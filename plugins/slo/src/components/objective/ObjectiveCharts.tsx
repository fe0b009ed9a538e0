import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useSeries } from '../../hooks/useObjective';
import { RangeKey } from '../../lib/ranges';
import { noTrafficCount } from '../../lib/series';
import { BudgetChart } from './BudgetChart';
import { BurnRateChart } from './BurnRateChart';
import { RangeSelector } from './RangeSelector';
import { SliChart } from './SliChart';

/** Burn rates, budget and SLI over a chosen range. */
export function ObjectiveCharts(props: { objectiveRef: string }) {
  const [range, setRange] = useState<RangeKey>('1d');
  const {
    value: series,
    loading,
    error,
  } = useSeries(props.objectiveRef, range);
  const gaps = series ? noTrafficCount(series) : 0;

  let body;
  if (error) {
    body = (
      <ResponseErrorPanel error={error} title="Could not load the history" />
    );
  } else if (!series || loading) {
    body = <Progress />;
  } else {
    body = (
      <Grid container spacing={2}>
        {gaps > 0 && (
          <Grid item xs={12}>
            <Alert severity="info">
              {gaps === series.points.length
                ? 'No traffic in this range: nothing to measure yet.'
                : 'No traffic in part of this range: those stretches are gaps in the lines, not zeros.'}
            </Alert>
          </Grid>
        )}
        <Grid item xs={12}>
          <BurnRateChart series={series} />
        </Grid>
        <Grid item xs={12} md={6}>
          <BudgetChart series={series} />
        </Grid>
        <Grid item xs={12} md={6}>
          <SliChart series={series} />
        </Grid>
      </Grid>
    );
  }
  return (
    <InfoCard
      title="History"
      action={<RangeSelector value={range} onChange={setRange} />}
    >
      {body}
    </InfoCard>
  );
}
