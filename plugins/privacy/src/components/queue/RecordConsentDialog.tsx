import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  type ConsentState,
} from '@internal/plugin-privacy-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormLabel from '@material-ui/core/FormLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useRecordConsentForm } from '../../hooks/useRecordConsentForm';

/**
 * Records that a data subject granted or withdrew consent to one purpose.
 * Opens prefilled with `subjectId` (the subject looked up, if any).
 */
export function RecordConsentDialog(props: {
  open: boolean;
  subjectId: string;
  onClose: () => void;
  onRecorded: (state: ConsentState) => void;
}) {
  const { values, setValue, errors, serverError, submitting, submit, reset } =
    useRecordConsentForm(props.subjectId, props.onRecorded);
  const fieldError = (key: keyof typeof errors) => ({
    error: Boolean(errors[key]),
    helperText: errors[key],
  });

  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      TransitionProps={{ onEnter: reset }}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle>Record consent</DialogTitle>
      <DialogContent>
        {serverError && (
          <Alert severity="error" role="alert">
            {serverError}
          </Alert>
        )}
        <TextField
          id="record-consent-subject-id"
          label="Subject id"
          value={values.subjectId}
          onChange={event => setValue('subjectId', event.target.value)}
          required
          fullWidth
          margin="dense"
          {...fieldError('subjectId')}
        />
        <TextField
          id="record-consent-purpose"
          select
          label="Purpose"
          value={values.purpose}
          onChange={event =>
            setValue('purpose', event.target.value as ConsentPurpose)
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          fullWidth
          margin="dense"
          {...fieldError('purpose')}
        >
          <option value="">Choose a purpose</option>
          {CONSENT_PURPOSES.map(purpose => (
            <option key={purpose} value={purpose}>
              {purpose}
            </option>
          ))}
        </TextField>
        <FormControl component="fieldset" margin="dense">
          <FormLabel component="legend">Consent</FormLabel>
          <RadioGroup
            row
            name="record-consent-granted"
            value={values.granted ? 'granted' : 'withdrawn'}
            onChange={event =>
              setValue('granted', event.target.value === 'granted')
            }
          >
            <FormControlLabel
              value="granted"
              control={<Radio color="primary" />}
              label="Granted"
            />
            <FormControlLabel
              value="withdrawn"
              control={<Radio color="primary" />}
              label="Withdrawn"
            />
          </RadioGroup>
        </FormControl>
        <TextField
          id="record-consent-source"
          label="Source"
          value={values.source}
          onChange={event => setValue('source', event.target.value)}
          required
          fullWidth
          margin="dense"
          {...fieldError('source')}
          helperText={
            errors.source ?? 'Where it was given or withdrawn, e.g. web-banner'
          }
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={submitting}
        >
          {submitting ? 'Recording…' : 'Record'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
