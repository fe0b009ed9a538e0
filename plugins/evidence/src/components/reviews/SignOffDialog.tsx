import { useApi } from '@backstage/core-plugin-api';
import type { EvidenceItem } from '@internal/plugin-evidence-common';
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

/** Signs an access review off with a comment; the sign-off is filed as evidence. */
export function SignOffDialog(props: {
  review: EvidenceItem | undefined;
  onClose: () => void;
  onSigned: (signOff: EvidenceItem) => void;
}) {
  const api = useApi(evidenceApiRef);
  const { review, onClose, onSigned } = props;
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const close = () => {
    setComment('');
    setError(undefined);
    onClose();
  };
  const sign = async () => {
    if (!review) return;
    setSaving(true);
    setError(undefined);
    try {
      const signOff = await api.signOffAccessReview(review.id, {
        comment: comment.trim(),
      });
      setComment('');
      onSigned(signOff);
    } catch (e) {
      setError(submitErrorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Dialog open={Boolean(review)} onClose={close} fullWidth maxWidth="sm">
      <DialogTitle>Sign off {review?.title}</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Your sign-off, with this comment, is filed as evidence for{' '}
          {review?.points.join(', ')}.
        </DialogContentText>
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        <TextField
          id="sign-off-comment"
          label="Comment"
          value={comment}
          onChange={event => setComment(event.target.value)}
          required
          multiline
          minRows={3}
          fullWidth
          margin="dense"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={sign}
          disabled={saving || comment.trim().length === 0}
        >
          Sign off
        </Button>
      </DialogActions>
    </Dialog>
  );
}
