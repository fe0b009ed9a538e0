import type { DsarRequest } from '@internal/plugin-privacy-common';
import {
  JURISDICTIONS,
  PRIORITIES,
  REGIONS,
  REQUEST_TYPES,
} from '@internal/plugin-privacy-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import {
  NewRequestValues,
  useNewRequestForm,
} from '../../hooks/useNewRequestForm';

type SelectField = 'type' | 'region' | 'jurisdiction' | 'priority';

const selects: Array<{
  key: SelectField;
  label: string;
  options: readonly string[];
  placeholder?: string;
}> = [
  { key: 'type', label: 'Type', options: REQUEST_TYPES },
  {
    key: 'region',
    label: 'Region',
    options: REGIONS,
    placeholder: 'Choose a region',
  },
  {
    key: 'jurisdiction',
    label: 'Jurisdiction',
    options: JURISDICTIONS,
    placeholder: 'Choose a jurisdiction',
  },
  { key: 'priority', label: 'Priority', options: Object.keys(PRIORITIES) },
];

/** Submits an export or erasure request for one data subject. */
export function NewRequestDialog(props: {
  open: boolean;
  onClose: () => void;
  onCreated: (request: DsarRequest) => void;
}) {
  const { values, setValue, errors, serverError, submitting, submit, reset } =
    useNewRequestForm(props.onCreated);
  const close = () => {
    reset();
    props.onClose();
  };
  const fieldError = (key: keyof typeof errors) => ({
    error: Boolean(errors[key]),
    helperText: errors[key],
  });

  return (
    <Dialog open={props.open} onClose={close} fullWidth maxWidth="sm">
      <DialogTitle>New privacy request</DialogTitle>
      <DialogContent>
        {serverError && (
          <Alert severity="error" role="alert">
            {serverError}
          </Alert>
        )}
        <TextField
          id="new-request-subject-id"
          label="Subject id"
          value={values.subjectId}
          onChange={event => setValue('subjectId', event.target.value)}
          required
          fullWidth
          margin="dense"
          {...fieldError('subjectId')}
        />
        <TextField
          id="new-request-email"
          label="Email (optional)"
          type="email"
          value={values.email}
          onChange={event => setValue('email', event.target.value)}
          fullWidth
          margin="dense"
          {...fieldError('email')}
        />
        {selects.map(select => (
          <TextField
            key={select.key}
            id={`new-request-${select.key}`}
            select
            label={select.label}
            value={values[select.key]}
            onChange={event =>
              setValue(
                select.key,
                event.target.value as NewRequestValues[typeof select.key],
              )
            }
            SelectProps={{ native: true }}
            InputLabelProps={{ shrink: true }}
            fullWidth
            margin="dense"
            {...(select.key === 'type' ? {} : fieldError(select.key))}
          >
            {select.placeholder && (
              <option value="">{select.placeholder}</option>
            )}
            {select.options.map(option => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </TextField>
        ))}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={submitting}
        >
          Submit
        </Button>
      </DialogActions>
    </Dialog>
  );
}
