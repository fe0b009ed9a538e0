import { InfoCard } from '@backstage/core-components';
import type { SloObjectiveSummary } from '@internal/plugin-slo-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import { formatMinutes, formatPercent, formatTime } from '../../lib/format';
import { BudgetBar } from '../common/BudgetBar';
import { BurnRates } from '../common/BurnRates';
import { ServiceLink } from '../common/ServiceLink';
import { StateChip } from '../common/StateChip';

function Stat(props: { label: string; children: ReactNode }) {
  return (
    <Grid item xs={6} md={2}>
      <Typography variant="overline" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Box aria-label={props.label}>{props.children}</Box>
    </Grid>
  );
}

/** The objective's numbers as of its latest evaluation. */
export function ObjectiveHeader(props: { objective: SloObjectiveSummary }) {
  const { objective } = props;
  const status = objective.status;
  return (
    <InfoCard title={objective.displayName || objective.name}>
      <Grid container spacing={2}>
        <Stat label="SLI">
          <Typography variant="h5">{formatPercent(status?.sli, 3)}</Typography>
        </Stat>
        <Stat label="Target">
          <Typography variant="h5">
            {formatPercent(objective.target)}
          </Typography>
          <Typography variant="caption">{objective.windowLabel}</Typography>
        </Stat>
        <Stat label="Budget remaining">
          <BudgetBar remaining={status?.budgetRemaining} />
        </Stat>
        <Stat label="Time to exhaustion">
          <Typography variant="h6">
            {status ? formatMinutes(status.timeToExhaustionMinutes) : '–'}
          </Typography>
        </Stat>
        <Stat label="Burn (long / short)">
          <BurnRates objective={objective} />
        </Stat>
        <Stat label="State">
          <StateChip state={objective.state} />
        </Stat>
      </Grid>
      <Box mt={2}>
        <Typography variant="body2" color="textSecondary">
          Service <ServiceLink objective={objective} /> · {objective.budgeting}{' '}
          budgeting · SLI from{' '}
          {objective.source === 'push' ? 'pushed samples' : 'Prometheus'} · read
          from {objective.sourceFile}:{objective.sourceLine}
          {status
            ? ` · evaluated ${formatTime(status.at)}`
            : ' · not evaluated yet'}
          {status && status.dataThrough === null
            ? ' · no data received yet'
            : ''}
        </Typography>
      </Box>
    </InfoCard>
  );
}
