import { extendDeadlineSchema } from '@internal/plugin-privacy-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';

/** Asks why the legal deadline is extended (at least 10 characters). */
export function ExtendDeadlineDialog(props: {
  open: boolean;
  submitting: boolean;
  onClose: () => void;
  onSubmit: (reason: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const reset = () => {
    setReason('');
    setError(undefined);
  };
  const submit = () => {
    const parsed = extendDeadlineSchema.safeParse({ reason });
    if (!parsed.success) {
      setError(
        parsed.error.issues[0]?.code === 'too_big'
          ? 'At most 1000 characters'
          : 'Give a reason of at least 10 characters',
      );
      return;
    }
    setError(undefined);
    props.onSubmit(parsed.data.reason);
  };
  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      TransitionProps={{ onExited: reset }}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle>Extend the legal deadline</DialogTitle>
      <DialogContent>
        <DialogContentText>
          The reason is recorded in the audit trail and shown on the request.
        </DialogContentText>
        <TextField
          id="extend-deadline-reason"
          label="Reason"
          value={reason}
          onChange={event => {
            setReason(event.target.value);
            setError(undefined);
          }}
          error={Boolean(error)}
          helperText={
            error ?? `${reason.trim().length} / 10 characters at least`
          }
          multiline
          minRows={3}
          fullWidth
          required
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={props.submitting}
        >
          Extend
        </Button>
      </DialogActions>
    </Dialog>
  );
}
