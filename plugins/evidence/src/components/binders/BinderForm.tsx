import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  evidenceBinderCreatePermission,
  pointsOf,
  type Binder,
  type Criterion,
} from '@internal/plugin-evidence-common';
import { useSchemaForm } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useCallback } from 'react';
import { evidenceApiRef, type NewBinder } from '../../api';
import { usePermitted } from '../../hooks/usePermitted';
import { isoDay } from '../../lib/format';
import {
  parseBinder,
  type BinderField,
  type BinderValues,
} from '../../lib/forms';
import { PointsSelect } from '../common/PointsSelect';

/** Asks for a binder over a period and a set of points (all by default). */
export function BinderForm(props: {
  criteria: Criterion[];
  onCreated: (binder: Binder) => void;
}) {
  const api = useApi(evidenceApiRef);
  const alertApi = useApi(alertApiRef);
  const permitted = usePermitted(evidenceBinderCreatePermission);
  const { criteria, onCreated } = props;
  const initial = useCallback(
    (): BinderValues => ({
      periodStart: isoDay(new Date(), -90),
      periodEnd: isoDay(new Date()),
      points: pointsOf(criteria).map(point => point.id),
    }),
    [criteria],
  );
  const send = useCallback(
    async (body: NewBinder) => {
      const binder = await api.createBinder(body);
      alertApi.post({
        message: `Binder ${binder.id} queued`,
        severity: 'info',
        display: 'transient',
      });
      onCreated(binder);
    },
    [api, alertApi, onCreated],
  );
  const form = useSchemaForm<BinderValues, BinderField, NewBinder>({
    initial,
    parse: parseBinder,
    send,
  });
  const { values, setValue, errors } = form;

  return (
    <InfoCard
      title="Build a binder"
      subheader="An archive for the auditor: the evidence of a period, an index, a SHA-256 manifest and its signature."
    >
      {form.serverError && (
        <Alert severity="error" role="alert">
          {form.serverError}
        </Alert>
      )}
      <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
        <TextField
          id="binder-period-start"
          label="Period start"
          type="date"
          value={values.periodStart}
          onChange={event => setValue('periodStart', event.target.value)}
          InputLabelProps={{ shrink: true }}
          margin="dense"
          error={Boolean(errors.periodStart)}
          helperText={errors.periodStart}
        />
        <TextField
          id="binder-period-end"
          label="Period end"
          type="date"
          value={values.periodEnd}
          onChange={event => setValue('periodEnd', event.target.value)}
          InputLabelProps={{ shrink: true }}
          margin="dense"
          error={Boolean(errors.periodEnd)}
          helperText={errors.periodEnd}
        />
      </Box>
      <PointsSelect
        id="binder-points"
        criteria={criteria}
        value={values.points}
        onChange={points => setValue('points', points)}
        error={errors.points}
        quickPicks
      />
      <Box mt={2}>
        <Button
          variant="contained"
          color="primary"
          onClick={form.submit}
          disabled={form.submitting || !permitted.allowed}
        >
          Build binder
        </Button>
      </Box>
    </InfoCard>
  );
}
