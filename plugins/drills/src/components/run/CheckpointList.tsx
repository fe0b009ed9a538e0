import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { RunCheckpoint, RunView } from '@internal/plugin-drills-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemSecondaryAction from '@material-ui/core/ListItemSecondaryAction';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import { drillsApiRef } from '../../api';
import { formatElapsed, formatMinutes, phaseTitle, shortRef } from './format';
import { useAction, useNow } from './hooks';

const MINUTE_MS = 60_000;

function Result(props: { checkpoint: RunCheckpoint }) {
  const { checkpoint } = props;
  return (
    <Chip
      size="small"
      label={checkpoint.passed ? 'PASS' : 'FAIL'}
      color={checkpoint.passed ? 'primary' : 'secondary'}
      aria-label={`${checkpoint.title}: ${checkpoint.passed ? 'pass' : 'fail'}`}
    />
  );
}

/** How far the target is, or how far past it, from the run's start. */
function Countdown(props: { startedAt: string; targetMinutes: number }) {
  const now = useNow(true);
  const left =
    Date.parse(props.startedAt) + props.targetMinutes * MINUTE_MS - now;
  return left >= 0 ? (
    <Typography variant="body2" component="span">
      {formatElapsed(left)} left
    </Typography>
  ) : (
    <Typography variant="body2" component="span" color="error">
      overdue by {formatElapsed(-left)}
    </Typography>
  );
}

function CheckpointRow(props: {
  run: RunView;
  checkpoint: RunCheckpoint;
  canAct: boolean;
  onReached: (checkpoint: RunCheckpoint) => void;
}) {
  const { run, checkpoint } = props;
  const api = useApi(drillsApiRef);
  const { busy, act } = useAction();
  const reached = checkpoint.reachedAt !== null;

  const reach = async () => {
    const answer = await act('mark the checkpoint reached', () =>
      api.reachCheckpoint(run.id, checkpoint.id),
    );
    if (answer) props.onReached(answer);
  };

  let detail: ReactNode;
  if (reached) {
    detail = `reached at ${formatMinutes(
      checkpoint.elapsedMinutes ?? 0,
    )} min by ${shortRef(checkpoint.reachedBy)}`;
  } else if (run.state === 'running') {
    detail = (
      <Countdown
        startedAt={run.startedAt}
        targetMinutes={checkpoint.targetMinutes}
      />
    );
  } else {
    detail = 'not reached';
  }

  return (
    <ListItem divider>
      <ListItemText
        primary={checkpoint.title}
        secondary={
          <>
            {phaseTitle(checkpoint.phase)} · target {checkpoint.targetMinutes}{' '}
            min · {detail}
          </>
        }
      />
      <ListItemSecondaryAction>
        {reached && <Result checkpoint={checkpoint} />}
        {!reached && props.canAct && (
          <Button
            size="small"
            variant="contained"
            color="primary"
            disabled={busy}
            onClick={reach}
            aria-label={`Reached: ${checkpoint.title}`}
          >
            Reached
          </Button>
        )}
      </ListItemSecondaryAction>
    </ListItem>
  );
}

/** The run's timed checkpoints, each against its target from the start. */
export function CheckpointList(props: {
  run: RunView;
  canAct: boolean;
  onReached: (checkpoint: RunCheckpoint) => void;
}) {
  const { run } = props;
  const checkpoints = [...run.checkpoints].sort(
    (a, b) => a.position - b.position,
  );
  return (
    <InfoCard title="Checkpoints" noPadding>
      {checkpoints.length === 0 ? (
        <Typography color="textSecondary" style={{ padding: 16 }}>
          This scenario has no timed checkpoints.
        </Typography>
      ) : (
        <List dense>
          {checkpoints.map(checkpoint => (
            <CheckpointRow
              key={checkpoint.id}
              run={run}
              checkpoint={checkpoint}
              canAct={props.canAct && run.state === 'running'}
              onReached={props.onReached}
            />
          ))}
        </List>
      )}
    </InfoCard>
  );
}
