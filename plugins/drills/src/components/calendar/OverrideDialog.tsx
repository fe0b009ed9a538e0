import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  MIN_REASON_LENGTH,
  OVERRIDE_KINDS,
  type NewCalendarOverride,
  type OverrideKind,
} from '@internal/plugin-drills-common';
import { useSchemaForm, type FormParse } from '@internal/plugin-ops-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useCallback } from 'react';
import { drillsApiRef } from '../../api';
import { formatMonth } from '../common/format';

export interface OverrideValues {
  kind: OverrideKind;
  month: string;
  scenarioId: string;
  date: string;
  reason: string;
}

type OverrideField = keyof OverrideValues;

const KIND_LABELS: Record<OverrideKind, string> = {
  skip: 'Skip the month',
  swap: 'Swap the scenario',
  reschedule: 'Move to another day',
};

/** The override to send, or what is wrong with the form. */
export function parseOverride(
  values: OverrideValues,
): FormParse<OverrideField, NewCalendarOverride> {
  const errors: Partial<Record<OverrideField, string>> = {};
  const reason = values.reason.trim();
  if (!/^\d{4}-\d{2}$/.test(values.month)) errors.month = 'Choose a month';
  if (values.kind === 'swap' && !values.scenarioId) {
    errors.scenarioId = 'Choose the scenario to drill instead';
  }
  if (values.kind === 'reschedule') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
      errors.date = 'Choose the new day';
    } else if (!values.date.startsWith(`${values.month}-`)) {
      errors.date = 'The new day must be in the chosen month';
    }
  }
  if (reason.length < MIN_REASON_LENGTH) {
    errors.reason = `At least ${MIN_REASON_LENGTH} characters (${reason.length} so far)`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      month: values.month,
      kind: values.kind,
      reason,
      ...(values.kind === 'swap' ? { scenarioId: values.scenarioId } : {}),
      ...(values.kind === 'reschedule' ? { date: values.date } : {}),
    },
  };
}

/**
 * Records that a month's drill is skipped, drills another scenario, or
 * moves to another day, with the reason. The backend checks the caller is a
 * drill lead; its refusals are shown here.
 */
export function OverrideDialog(props: {
  months: string[];
  scenarios: Array<{ id: string; title: string }>;
  onClose: () => void;
  onRecorded: () => void;
}) {
  const { months, scenarios, onClose, onRecorded } = props;
  const api = useApi(drillsApiRef);
  const alertApi = useApi(alertApiRef);
  const initial = useCallback(
    (): OverrideValues => ({
      kind: 'skip',
      month: months[0] ?? '',
      scenarioId: '',
      date: '',
      reason: '',
    }),
    [months],
  );
  const send = useCallback(
    async (body: NewCalendarOverride) => {
      await api.recordOverride(body);
      alertApi.post({
        message: `Recorded: ${body.kind} ${formatMonth(body.month)}`,
        severity: 'success',
        display: 'transient',
      });
      onRecorded();
    },
    [api, alertApi, onRecorded],
  );
  const form = useSchemaForm<
    OverrideValues,
    OverrideField,
    NewCalendarOverride
  >({ initial, parse: parseOverride, send });
  const { values, setValue, errors } = form;

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Skip or swap a month</DialogTitle>
      <DialogContent>
        <DialogContentText>
          The calendar rotates through the scenarios on the first Tuesday of
          each month. A change is recorded with its reason and who made it, and
          subscribed calendars pick it up.
        </DialogContentText>
        {form.serverError && (
          <Alert severity="error" role="alert">
            {form.serverError}
          </Alert>
        )}
        <TextField
          id="override-kind"
          select
          label="Change"
          value={values.kind}
          onChange={event =>
            setValue('kind', event.target.value as OverrideKind)
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          fullWidth
          margin="dense"
        >
          {OVERRIDE_KINDS.map(kind => (
            <option key={kind} value={kind}>
              {KIND_LABELS[kind]}
            </option>
          ))}
        </TextField>
        <TextField
          id="override-month"
          select
          label="Month"
          value={values.month}
          onChange={event => setValue('month', event.target.value)}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          required
          fullWidth
          margin="dense"
          error={Boolean(errors.month)}
          helperText={errors.month}
        >
          <option value="">Choose a month</option>
          {months.map(month => (
            <option key={month} value={month}>
              {formatMonth(month)}
            </option>
          ))}
        </TextField>
        {values.kind === 'swap' && (
          <TextField
            id="override-scenario"
            select
            label="Scenario instead"
            value={values.scenarioId}
            onChange={event => setValue('scenarioId', event.target.value)}
            SelectProps={{ native: true }}
            InputLabelProps={{ shrink: true }}
            required
            fullWidth
            margin="dense"
            error={Boolean(errors.scenarioId)}
            helperText={errors.scenarioId}
          >
            <option value="">Choose a scenario</option>
            {scenarios.map(scenario => (
              <option key={scenario.id} value={scenario.id}>
                {scenario.title}
              </option>
            ))}
          </TextField>
        )}
        {values.kind === 'reschedule' && (
          <TextField
            id="override-date"
            label="New day"
            type="date"
            value={values.date}
            onChange={event => setValue('date', event.target.value)}
            InputLabelProps={{ shrink: true }}
            required
            margin="dense"
            error={Boolean(errors.date)}
            helperText={errors.date ?? 'A day in the chosen month'}
          />
        )}
        <TextField
          id="override-reason"
          label="Reason"
          value={values.reason}
          onChange={event => setValue('reason', event.target.value)}
          required
          multiline
          minRows={2}
          fullWidth
          margin="dense"
          error={Boolean(errors.reason)}
          helperText={
            errors.reason ?? `At least ${MIN_REASON_LENGTH} characters`
          }
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={form.submit}
          disabled={form.submitting}
        >
          Record
        </Button>
      </DialogActions>
    </Dialog>
  );
}
