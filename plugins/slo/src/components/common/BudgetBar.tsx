import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { budgetLevel, formatPercent } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  root: { minWidth: 120 },
  track: { height: 8, borderRadius: 4 },
  ok: { backgroundColor: theme.palette.success.main },
  warning: { backgroundColor: theme.palette.warning.main },
  error: { backgroundColor: theme.palette.error.main },
}));

/**
 * The error budget left, as a bar coloured by how worrying it is. Below zero
 * the budget is overspent: an empty red bar and the overspend in words.
 */
export function BudgetBar(props: { remaining: number | null | undefined }) {
  const classes = useStyles();
  const { remaining } = props;
  if (remaining === null || remaining === undefined) {
    return <Typography variant="body2">–</Typography>;
  }
  const level = budgetLevel(remaining);
  const label =
    remaining < 0
      ? `${formatPercent(remaining, 1)} (overspent)`
      : `${formatPercent(remaining, 1)} left`;
  return (
    <Box className={classes.root}>
      <LinearProgress
        variant="determinate"
        value={Math.max(0, Math.min(100, remaining * 100))}
        className={classes.track}
        classes={{ bar: classes[level] }}
        aria-label={`Error budget remaining: ${label}`}
      />
      <Typography variant="caption">{label}</Typography>
    </Box>
  );
}
