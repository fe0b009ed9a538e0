import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import type { SloObjectiveState } from '@internal/plugin-slo-common';
import { STATE_LABELS } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  'no-data': {},
  ok: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  burning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  firing: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  exhausted: {
    backgroundColor: theme.palette.error.dark,
    color: theme.palette.error.contrastText,
  },
}));

/** An objective's alert state: no data, ok, burning, firing or exhausted. */
export function StateChip(props: { state: SloObjectiveState }) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={STATE_LABELS[props.state]}
      className={classes[props.state]}
      variant={props.state === 'no-data' ? 'outlined' : 'default'}
    />
  );
}
