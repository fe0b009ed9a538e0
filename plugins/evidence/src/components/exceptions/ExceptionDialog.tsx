import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  pointsOf,
  type Criterion,
  type EvidenceException,
} from '@internal/plugin-evidence-common';
import { useSchemaForm } from '@internal/plugin-ops-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useCallback } from 'react';
import { evidenceApiRef, type NewException } from '../../api';
import { isoDay } from '../../lib/format';
import {
  EXCEPTION_REASON_MIN,
  parseException,
  type ExceptionField,
  type ExceptionValues,
} from '../../lib/forms';

const initialException = (): ExceptionValues => ({
  point: '',
  reason: '',
  approver: '',
  expiresOn: '',
});

const parseToday = (values: ExceptionValues) =>
  parseException(values, isoDay(new Date()));

/** Records that a point is knowingly not covered, why, who approved it and until when. */
export function ExceptionDialog(props: {
  open: boolean;
  criteria: Criterion[];
  onClose: () => void;
  onCreated: (exception: EvidenceException) => void;
}) {
  const api = useApi(evidenceApiRef);
  const alertApi = useApi(alertApiRef);
  const { onCreated } = props;
  const send = useCallback(
    async (body: NewException) => {
      const exception = await api.createException(body);
      alertApi.post({
        message: `Exception recorded for ${exception.point}`,
        severity: 'success',
        display: 'transient',
      });
      onCreated(exception);
    },
    [api, alertApi, onCreated],
  );
  const form = useSchemaForm<ExceptionValues, ExceptionField, NewException>({
    initial: initialException,
    parse: parseToday,
    send,
    resetAfterSend: true,
  });
  const { values, setValue, errors } = form;
  const close = () => {
    form.reset();
    props.onClose();
  };
  const reasonLength = values.reason.trim().length;
  const reasonShort = reasonLength < EXCEPTION_REASON_MIN;

  return (
    <Dialog open={props.open} onClose={close} fullWidth maxWidth="sm">
      <DialogTitle>New exception</DialogTitle>
      <DialogContent>
        <DialogContentText>
          An excepted point is counted apart, never as covered.
        </DialogContentText>
        {form.serverError && (
          <Alert severity="error" role="alert">
            {form.serverError}
          </Alert>
        )}
        <TextField
          id="exception-point"
          select
          label="Point"
          value={values.point}
          onChange={event => setValue('point', event.target.value)}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          required
          fullWidth
          margin="dense"
          error={Boolean(errors.point)}
          helperText={errors.point}
        >
          <option value="">Choose a point</option>
          {pointsOf(props.criteria).map(point => (
            <option key={point.id} value={point.id}>
              {point.id} · {point.title}
            </option>
          ))}
        </TextField>
        <TextField
          id="exception-reason"
          label="Reason"
          value={values.reason}
          onChange={event => setValue('reason', event.target.value)}
          required
          multiline
          minRows={3}
          fullWidth
          margin="dense"
          error={Boolean(errors.reason) || (reasonLength > 0 && reasonShort)}
          helperText={
            errors.reason ??
            (reasonShort
              ? `${reasonLength} of at least ${EXCEPTION_REASON_MIN} characters`
              : `${reasonLength} characters`)
          }
        />
        <TextField
          id="exception-approver"
          label="Approver"
          placeholder="user:default/jane.doe"
          value={values.approver}
          onChange={event => setValue('approver', event.target.value)}
          required
          fullWidth
          margin="dense"
          error={Boolean(errors.approver)}
          helperText={errors.approver}
        />
        <TextField
          id="exception-expires"
          label="Expires on"
          type="date"
          value={values.expiresOn}
          onChange={event => setValue('expiresOn', event.target.value)}
          InputLabelProps={{ shrink: true }}
          required
          margin="dense"
          error={Boolean(errors.expiresOn)}
          helperText={errors.expiresOn}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={form.submit}
          disabled={form.submitting || reasonShort}
        >
          Record exception
        </Button>
      </DialogActions>
    </Dialog>
  );
}
