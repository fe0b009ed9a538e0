import { Progress } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { useSeries } from '../../hooks/useObjective';
import { BurnRateChart } from '../objective/BurnRateChart';

/** The last day's burn rates of one objective, small. */
export function SmallBurnChart(props: { objectiveRef: string }) {
  const { value, loading, error } = useSeries(props.objectiveRef, '1d');
  if (error) {
    return (
      <Typography variant="caption" color="error">
        Could not load the burn history: {error.message}
      </Typography>
    );
  }
  if (loading || !value) return <Progress />;
  return <BurnRateChart series={value} height={140} compact />;
}
