import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import type { RequestState } from '@internal/plugin-privacy-common';

type Tone = 'ok' | 'active' | 'attention' | 'error' | 'idle';

const toneOf: Record<RequestState, Tone> = {
  received: 'active',
  queued: 'active',
  running: 'active',
  awaiting_approval: 'attention',
  on_hold: 'attention',
  completed: 'ok',
  failed: 'error',
  dead_lettered: 'error',
  canceled: 'idle',
};

const useStyles = makeStyles((theme: Theme) => {
  const tone = (color: string) => ({
    backgroundColor: color,
    color: theme.palette.getContrastText(color),
  });
  return {
    ok: tone(theme.palette.success.main),
    active: tone(theme.palette.info.main),
    attention: tone(theme.palette.warning.main),
    error: tone(theme.palette.error.main),
    idle: tone(theme.palette.grey[500]),
  };
});

/** A request's state, coloured: green done, blue moving, amber waiting on a person, red failed. */
export function RequestStateChip(props: { state: RequestState }) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.state}
      className={classes[toneOf[props.state] ?? 'idle']}
    />
  );
}
