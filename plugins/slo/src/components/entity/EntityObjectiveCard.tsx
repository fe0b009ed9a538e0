import type { Entity } from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import type { SloObjectiveSummary } from '@internal/plugin-slo-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { formatMinutes, formatPercent } from '../../lib/format';
import { BudgetBar } from '../common/BudgetBar';
import { BurnRates } from '../common/BurnRates';
import { StateChip } from '../common/StateChip';
import { FiringActions } from './FiringActions';
import { SmallBurnChart } from './SmallBurnChart';

/** One objective of the entity: its numbers now and a small burn chart. */
export function EntityObjectiveCard(props: {
  objective: SloObjectiveSummary;
  entity: Entity;
  entityRef: string;
  link?: string;
}) {
  const { objective, link } = props;
  const status = objective.status;
  const title = objective.displayName || objective.name;
  return (
    <InfoCard
      title={link ? <Link to={link}>{title}</Link> : title}
      subheader={`${formatPercent(objective.target)} over ${
        objective.windowLabel
      }`}
      action={<StateChip state={objective.state} />}
    >
      <Grid container spacing={2}>
        <Grid item xs={6} md={3}>
          <Typography variant="overline" component="div">
            SLI
          </Typography>
          <Typography variant="h6">{formatPercent(status?.sli, 3)}</Typography>
        </Grid>
        <Grid item xs={6} md={3}>
          <Typography variant="overline" component="div">
            Budget remaining
          </Typography>
          <BudgetBar remaining={status?.budgetRemaining} />
        </Grid>
        <Grid item xs={6} md={3}>
          <Typography variant="overline" component="div">
            Time to exhaustion
          </Typography>
          <Typography variant="h6">
            {status ? formatMinutes(status.timeToExhaustionMinutes) : '–'}
          </Typography>
        </Grid>
        <Grid item xs={6} md={3}>
          <Typography variant="overline" component="div">
            Burn (long / short)
          </Typography>
          <BurnRates objective={objective} />
        </Grid>
        <Grid item xs={12}>
          <SmallBurnChart objectiveRef={objective.id} />
        </Grid>
        {objective.state === 'firing' && (
          <Grid item xs={12}>
            <FiringActions entity={props.entity} entityRef={props.entityRef} />
          </Grid>
        )}
      </Grid>
    </InfoCard>
  );
}
