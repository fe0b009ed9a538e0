import { useApi } from '@backstage/core-plugin-api';
import {
  MIN_REASON_LENGTH,
  type RunView,
} from '@internal/plugin-drills-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { drillsApiRef } from '../../api';
import { useAction } from './hooks';

function FinishDialog(props: {
  run: RunView;
  onClose: () => void;
  onDone: (run: RunView) => void;
}) {
  const api = useApi(drillsApiRef);
  const { busy, act } = useAction();
  const steps = props.run.phases.flatMap(phase => phase.steps);
  const open = steps.filter(step => !step.checked).length;
  const unreached = props.run.checkpoints.filter(c => !c.reachedAt).length;
  const finish = async () => {
    const run = await act('finish the run', () => api.finishRun(props.run.id));
    if (run) {
      props.onDone(run);
      props.onClose();
    }
  };
  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="xs">
      <DialogTitle>Finish the drill?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          The timer stops, the report is written and the evidence is filed.
          Steps can no longer be checked.
          {open > 0 && ` ${open} of ${steps.length} steps are still open.`}
          {unreached > 0 &&
            ` ${unreached} checkpoint${
              unreached === 1 ? ' was' : 's were'
            } not reached.`}
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={finish}
        >
          Finish
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function AbortDialog(props: {
  run: RunView;
  onClose: () => void;
  onDone: (run: RunView) => void;
}) {
  const api = useApi(drillsApiRef);
  const { busy, act } = useAction();
  const [reason, setReason] = useState('');
  const short = reason.trim().length < MIN_REASON_LENGTH;
  const abort = async () => {
    const run = await act('abort the run', () =>
      api.abortRun(props.run.id, reason.trim()),
    );
    if (run) {
      props.onDone(run);
      props.onClose();
    }
  };
  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>Abort the drill</DialogTitle>
      <DialogContent>
        <DialogContentText>
          An aborted drill has no report and files no evidence. Say why, for the
          record.
        </DialogContentText>
        <TextField
          id="drill-abort-reason"
          label="Reason"
          fullWidth
          multiline
          minRows={2}
          value={reason}
          onChange={event => setReason(event.target.value)}
          helperText={`At least ${MIN_REASON_LENGTH} characters`}
          error={reason.length > 0 && short}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={short || busy}
          onClick={abort}
        >
          Abort drill
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Finish or abort: the run's lead only, while it runs. */
export function LeadActions(props: {
  run: RunView;
  onDone: (run: RunView) => void;
}) {
  const [dialog, setDialog] = useState<'finish' | 'abort'>();
  const close = () => setDialog(undefined);
  return (
    <Box display="flex" gridGap={8}>
      <Button
        variant="contained"
        color="primary"
        onClick={() => setDialog('finish')}
      >
        Finish
      </Button>
      <Button variant="outlined" onClick={() => setDialog('abort')}>
        Abort
      </Button>
      {dialog === 'finish' && (
        <FinishDialog run={props.run} onClose={close} onDone={props.onDone} />
      )}
      {dialog === 'abort' && (
        <AbortDialog run={props.run} onClose={close} onDone={props.onDone} />
      )}
    </Box>
  );
}
