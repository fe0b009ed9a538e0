import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type SecurityAlertStatus,
  type SecurityAlertSummary,
  securityAlertManagePermission,
} from '@internal/plugin-security-common';
import { submitErrorMessage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { securityApiRef } from '../../api';
import { STATUS_ACTION_LABELS } from '../common/format';

const NOTE_MAX = 1000;

/** The statuses an alert can move to from `status`. */
export function nextStatuses(
  status: SecurityAlertStatus,
): SecurityAlertStatus[] {
  switch (status) {
    case 'open':
      return ['acknowledged', 'closed'];
    case 'acknowledged':
      return ['closed', 'open'];
    default:
      return ['open'];
  }
}

function NoteDialog(props: {
  alertId: string;
  target: SecurityAlertStatus;
  onClose: () => void;
  onChanged: (alert: SecurityAlertSummary) => void;
}) {
  const api = useApi(securityApiRef);
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const label = STATUS_ACTION_LABELS[props.target];
  const trimmed = note.trim();

  const submit = async () => {
    setSaving(true);
    setError(undefined);
    try {
      const changed = await api.changeAlertStatus(props.alertId, {
        status: props.target,
        note: trimmed,
      });
      props.onChanged(changed);
    } catch (e) {
      setError(submitErrorMessage(e));
      setSaving(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>{label} alert</DialogTitle>
      <DialogContent>
        {error && (
          <Box mb={2}>
            <Alert severity="error">{error}</Alert>
          </Box>
        )}
        <TextField
          id="security-status-note"
          label="Note"
          helperText="Why — kept with the alert for whoever looks next"
          value={note}
          onChange={event => setNote(event.target.value)}
          inputProps={{ maxLength: NOTE_MAX }}
          multiline
          minRows={3}
          fullWidth
          required
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={saving}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          disabled={saving || trimmed.length === 0}
          onClick={submit}
        >
          {label}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Acknowledge, close or reopen the alert with a note; shown only to those
 * allowed `security.alert.manage`. `onChanged` gets the alert as it now stands.
 */
export function StatusActions(props: {
  alert: SecurityAlertSummary;
  onChanged: (alert: SecurityAlertSummary) => void;
}) {
  const { allowed } = usePermission({
    permission: securityAlertManagePermission,
  });
  const [target, setTarget] = useState<SecurityAlertStatus>();
  if (!allowed) return null;

  return (
    <Box display="flex" style={{ gap: 8 }}>
      {nextStatuses(props.alert.status).map(status => (
        <Button
          key={status}
          variant="outlined"
          color={status === 'closed' ? 'default' : 'primary'}
          onClick={() => setTarget(status)}
        >
          {STATUS_ACTION_LABELS[status]}
        </Button>
      ))}
      {target && (
        <NoteDialog
          alertId={props.alert.id}
          target={target}
          onClose={() => setTarget(undefined)}
          onChanged={changed => {
            setTarget(undefined);
            props.onChanged(changed);
          }}
        />
      )}
    </Box>
  );
}
