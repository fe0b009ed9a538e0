import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  evidenceCreatePermission,
  type Criterion,
  type EvidenceItem,
} from '@internal/plugin-evidence-common';
import { useSchemaForm } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useCallback } from 'react';
import { evidenceApiRef, type UploadMetadata } from '../../api';
import { usePermitted } from '../../hooks/usePermitted';
import { formatBytes, isoDay } from '../../lib/format';
import {
  parseUpload,
  type UploadField,
  type UploadValues,
} from '../../lib/forms';
import { PointsSelect } from '../common/PointsSelect';

function initialUpload(): UploadValues {
  const today = isoDay(new Date());
  return {
    file: null,
    title: '',
    points: [],
    periodStart: today,
    periodEnd: today,
    entityRef: '',
  };
}

/** Files a document (a policy, a signed contract) as evidence for the points it proves. */
export function UploadDialog(props: {
  open: boolean;
  criteria: Criterion[];
  onClose: () => void;
  onUploaded: (item: EvidenceItem) => void;
}) {
  const api = useApi(evidenceApiRef);
  const alertApi = useApi(alertApiRef);
  const { onUploaded } = props;
  const send = useCallback(
    async (body: { file: File; metadata: UploadMetadata }) => {
      const item = await api.uploadItem(body.file, body.metadata);
      alertApi.post({
        message: `Filed "${item.title}" (${item.sha256.slice(0, 12)}…)`,
        severity: 'success',
        display: 'transient',
      });
      onUploaded(item);
    },
    [api, alertApi, onUploaded],
  );
  const form = useSchemaForm<
    UploadValues,
    UploadField,
    { file: File; metadata: UploadMetadata }
  >({ initial: initialUpload, parse: parseUpload, send, resetAfterSend: true });
  const { values, setValue, errors } = form;
  const close = () => {
    form.reset();
    props.onClose();
  };
  const fieldError = (key: UploadField) => ({
    error: Boolean(errors[key]),
    helperText: errors[key],
  });

  return (
    <Dialog open={props.open} onClose={close} fullWidth maxWidth="sm">
      <DialogTitle>Upload evidence</DialogTitle>
      <DialogContent>
        {form.serverError && (
          <Alert severity="error" role="alert">
            {form.serverError}
          </Alert>
        )}
        <Box my={1}>
          <Button variant="outlined" component="label">
            Choose file
            <input
              type="file"
              hidden
              aria-label="File"
              onChange={event =>
                setValue('file', event.target.files?.[0] ?? null)
              }
            />
          </Button>
          <Typography
            variant="body2"
            component="span"
            style={{ marginLeft: 8 }}
          >
            {values.file
              ? `${values.file.name} (${formatBytes(values.file.size)})`
              : 'No file chosen'}
          </Typography>
          {errors.file && <FormHelperText error>{errors.file}</FormHelperText>}
        </Box>
        <TextField
          id="upload-title"
          label="Title"
          value={values.title}
          onChange={event => setValue('title', event.target.value)}
          required
          fullWidth
          margin="dense"
          {...fieldError('title')}
        />
        <PointsSelect
          id="upload-points"
          criteria={props.criteria}
          value={values.points}
          onChange={points => setValue('points', points)}
          error={errors.points}
        />
        <Box display="flex" style={{ gap: 16 }}>
          <TextField
            id="upload-period-start"
            label="Period start"
            type="date"
            value={values.periodStart}
            onChange={event => setValue('periodStart', event.target.value)}
            InputLabelProps={{ shrink: true }}
            margin="dense"
            {...fieldError('periodStart')}
          />
          <TextField
            id="upload-period-end"
            label="Period end"
            type="date"
            value={values.periodEnd}
            onChange={event => setValue('periodEnd', event.target.value)}
            InputLabelProps={{ shrink: true }}
            margin="dense"
            {...fieldError('periodEnd')}
          />
        </Box>
        <TextField
          id="upload-entity"
          label="Entity (optional)"
          placeholder="component:default/api-gateway"
          value={values.entityRef}
          onChange={event => setValue('entityRef', event.target.value)}
          fullWidth
          margin="dense"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={form.submit}
          disabled={form.submitting}
        >
          Upload
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Whether the user may upload (for the button that opens the dialog). */
export function useMayUpload() {
  return usePermitted(evidenceCreatePermission);
}
