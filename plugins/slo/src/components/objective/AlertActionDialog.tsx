import { useApi } from '@backstage/core-plugin-api';
import { submitErrorMessage } from '@internal/plugin-ops-react';
import type { SloAlert } from '@internal/plugin-slo-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { sloApiRef } from '../../api';

export type AlertAction = 'acknowledge' | 'silence';

export const SILENCE_DURATIONS = [
  { minutes: 60, label: '1 hour' },
  { minutes: 4 * 60, label: '4 hours' },
  { minutes: 24 * 60, label: '1 day' },
  { minutes: 7 * 24 * 60, label: '7 days' },
] as const;

/**
 * Asks why an alert is acknowledged or silenced (and for how long), posts
 * it, and keeps the dialog open with the backend's answer when refused
 * (403: not permitted).
 */
export function AlertActionDialog(props: {
  alert: SloAlert | undefined;
  action: AlertAction;
  onClose: () => void;
  onDone: (alert: SloAlert) => void;
}) {
  const { alert, action } = props;
  const sloApi = useApi(sloApiRef);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number>(60);
  const [error, setError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const reset = () => {
    setReason('');
    setMinutes(60);
    setError(undefined);
  };

  const submit = async () => {
    if (!alert) return;
    if (!reason.trim()) {
      setError('Give a reason');
      return;
    }
    setSubmitting(true);
    setError(undefined);
    try {
      const updated =
        action === 'acknowledge'
          ? await sloApi.acknowledgeAlert(alert.id, { reason: reason.trim() })
          : await sloApi.silenceAlert(alert.id, {
              reason: reason.trim(),
              until: new Date(Date.now() + minutes * 60_000).toISOString(),
            });
      props.onDone(updated);
    } catch (e) {
      setError(submitErrorMessage(e));
    } finally {
      setSubmitting(false);
    }
  };

  const verb = action === 'acknowledge' ? 'Acknowledge' : 'Silence';
  return (
    <Dialog
      open={Boolean(alert)}
      onClose={props.onClose}
      TransitionProps={{ onExited: reset }}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle>
        {verb} the {alert?.tier} alert
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          {action === 'acknowledge'
            ? 'Someone is on it: the reason is sent to the alert’s targets.'
            : 'No notification for this alert until the silence ends; the reason is recorded.'}
        </DialogContentText>
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        <TextField
          id="slo-alert-reason"
          label="Reason"
          value={reason}
          onChange={event => setReason(event.target.value)}
          multiline
          minRows={2}
          fullWidth
          required
          margin="normal"
        />
        {action === 'silence' && (
          <TextField
            select
            id="slo-alert-silence-duration"
            label="Silence for"
            value={minutes}
            onChange={event => setMinutes(Number(event.target.value))}
            SelectProps={{ native: true }}
            fullWidth
            margin="normal"
          >
            {SILENCE_DURATIONS.map(duration => (
              <option key={duration.minutes} value={duration.minutes}>
                {duration.label}
              </option>
            ))}
          </TextField>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={submitting}
        >
          {verb}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
