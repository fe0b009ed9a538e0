import { useApi } from '@backstage/core-plugin-api';
import {
  evidenceLegalHoldPermission,
  type EvidenceItem,
} from '@internal/plugin-evidence-common';
import { submitErrorMessage } from '@internal/plugin-ops-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { evidenceApiRef } from '../../api';
import { usePermitted } from '../../hooks/usePermitted';

/**
 * Places or releases a legal hold, with the reason the audit chain records.
 * Shown only to those who may.
 */
export function LegalHoldControl(props: {
  item: EvidenceItem;
  onChanged: (item: EvidenceItem) => void;
}) {
  const api = useApi(evidenceApiRef);
  const permitted = usePermitted(evidenceLegalHoldPermission);
  const { item, onChanged } = props;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  if (!permitted.allowed) return null;

  const hold = !item.legalHold;
  const close = () => {
    setOpen(false);
    setReason('');
    setError(undefined);
  };
  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      onChanged(
        await api.setLegalHold(item.id, { hold, reason: reason.trim() }),
      );
      close();
    } catch (e) {
      setError(submitErrorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  const verb = hold ? 'Place legal hold' : 'Release legal hold';

  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        {verb}
      </Button>
      <Dialog open={open} onClose={close} fullWidth maxWidth="sm">
        <DialogTitle>{verb}</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {hold
              ? 'Under a legal hold this evidence is kept past its retention date until the hold is released.'
              : 'Once released, this evidence expires at its retention date again.'}
          </DialogContentText>
          {error && (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          )}
          <TextField
            id="legal-hold-reason"
            label="Reason"
            value={reason}
            onChange={event => setReason(event.target.value)}
            required
            multiline
            minRows={2}
            fullWidth
            margin="dense"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Cancel</Button>
          <Button
            color="primary"
            variant="contained"
            onClick={save}
            disabled={saving || reason.trim().length === 0}
          >
            {verb}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
