import type { RunView } from '@internal/plugin-drills-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';
import { formatElapsed, formatMonth, formatTime, shortRef } from './format';
import { useNow } from './hooks';
import { RunStateChip } from '../common/RunStateChip';

const useStyles = makeStyles(theme => ({
  root: {
    padding: theme.spacing(2),
    marginBottom: theme.spacing(3),
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(3),
  },
  timer: {
    fontFamily: 'monospace',
    fontSize: '2.5rem',
    fontWeight: 600,
    lineHeight: 1,
  },
  facts: { flex: 1, minWidth: 240 },
  progress: { minWidth: 220 },
}));

/** When the run stopped, if it has. */
function endedAt(run: RunView): string | null {
  return run.finishedAt ?? run.abortedAt ?? null;
}

/** Time since the start, ticking while the run is running; a run that ended shows its duration. */
export function RunTimer(props: { run: RunView }) {
  const classes = useStyles();
  const running = props.run.state === 'running';
  const now = useNow(running);
  const end = endedAt(props.run);
  const until = running || !end ? now : Date.parse(end);
  return (
    <Box>
      <Typography
        className={classes.timer}
        role="timer"
        aria-label={running ? 'Elapsed' : 'Duration'}
      >
        {formatElapsed(until - Date.parse(props.run.startedAt))}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        {running ? 'elapsed' : 'duration'} · started{' '}
        {formatTime(props.run.startedAt)}
      </Typography>
    </Box>
  );
}

/** Checked steps of all steps, as the checklist shows them now. */
export function StepProgress(props: { run: RunView }) {
  const classes = useStyles();
  const steps = props.run.phases.flatMap(phase => phase.steps);
  const checked = steps.filter(step => step.checked).length;
  return (
    <Box className={classes.progress}>
      <Typography variant="body2" aria-label="Progress">
        {checked} of {steps.length} steps checked
      </Typography>
      <LinearProgress
        variant="determinate"
        value={steps.length ? (checked / steps.length) * 100 : 0}
        aria-label={`${checked} of ${steps.length} steps checked`}
      />
    </Box>
  );
}

/** The run at a glance: state, timer, progress, and the lead's actions. */
export function RunHeader(props: { run: RunView; actions?: ReactNode }) {
  const classes = useStyles();
  const { run } = props;
  return (
    <Paper className={classes.root}>
      <RunTimer run={run} />
      <Box className={classes.facts}>
        <Box display="flex" alignItems="center" gridGap={8}>
          <RunStateChip state={run.state} />
          <Typography variant="body2">
            {run.calendarMonth
              ? `${formatMonth(run.calendarMonth)} drill`
              : 'Ad hoc drill'}{' '}
            · led by {shortRef(run.lead)}
          </Typography>
        </Box>
        {run.state === 'aborted' && (
          <Typography variant="body2" color="error">
            Aborted by {shortRef(run.endedBy)}: {run.abortReason}
          </Typography>
        )}
        {run.state === 'finished' && (
          <Typography variant="body2" color="textSecondary">
            Finished by {shortRef(run.endedBy)} at {formatTime(run.finishedAt)}
          </Typography>
        )}
      </Box>
      <StepProgress run={run} />
      {props.actions}
    </Paper>
  );
}
