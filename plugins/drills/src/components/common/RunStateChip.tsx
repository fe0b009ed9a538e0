import type { RunState } from '@internal/plugin-drills-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  running: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  finished: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  aborted: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
}));

/** A run's state in words and colour: blue running, green finished, red aborted. */
export function RunStateChip(props: { state: RunState }) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.state}
      className={classes[props.state]}
      aria-label={`State: ${props.state}`}
    />
  );
}
