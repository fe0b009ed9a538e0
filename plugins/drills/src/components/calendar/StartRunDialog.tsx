import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  PARTICIPANT_ROLES,
  type ParticipantRole,
} from '@internal/plugin-drills-common';
import { submitErrorMessage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { drillsApiRef } from '../../api';
import { formatMonth } from '../common/format';
import { useDrillsPaths } from '../common/paths';

/** The caller leads the run; the others take one of the other roles. */
const OTHER_ROLES = PARTICIPANT_ROLES.filter(role => role !== 'lead');

interface ParticipantRow {
  entityRef: string;
  role: ParticipantRole;
}

/** `jane.doe` or `user:default/jane.doe` as a full entity ref, or undefined when it is not one. */
export function normalizeEntityRef(text: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(text.trim(), {
        defaultKind: 'user',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * Starts a drill run: this month's calendar drill (scenario and month given)
 * or an ad-hoc one (pick the scenario). The caller becomes its lead; the
 * backend refuses anyone who may not lead. On success, opens the run.
 */
export function StartRunDialog(props: {
  scenarios: Array<{ id: string; title: string }>;
  scenarioId?: string;
  calendarMonth?: string;
  onClose: () => void;
}) {
  const { scenarios, calendarMonth, onClose } = props;
  const api = useApi(drillsApiRef);
  const navigate = useNavigate();
  const paths = useDrillsPaths();
  const [scenarioId, setScenarioId] = useState(props.scenarioId ?? '');
  const [rows, setRows] = useState<ParticipantRow[]>([]);
  const [showErrors, setShowErrors] = useState(false);
  const [serverError, setServerError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  const filled = rows.filter(row => row.entityRef.trim());
  const rowError = (row: ParticipantRow) =>
    row.entityRef.trim() && !normalizeEntityRef(row.entityRef)
      ? 'Not an entity ref, e.g. user:default/jane.doe'
      : undefined;
  const valid = Boolean(scenarioId) && filled.every(row => !rowError(row));

  const setRow = (index: number, change: Partial<ParticipantRow>) =>
    setRows(previous =>
      previous.map((row, i) => (i === index ? { ...row, ...change } : row)),
    );

  const submit = async () => {
    setShowErrors(true);
    if (!valid) return;
    setSubmitting(true);
    setServerError(undefined);
    try {
      const participants = filled.map(row => ({
        entityRef: normalizeEntityRef(row.entityRef)!,
        role: row.role,
      }));
      const run = await api.startRun({
        scenarioId,
        ...(calendarMonth ? { calendarMonth } : {}),
        ...(participants.length > 0 ? { participants } : {}),
      });
      navigate(paths.run(run.id));
    } catch (error) {
      setServerError(submitErrorMessage(error));
      setSubmitting(false);
    }
  };

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        {calendarMonth
          ? `Start the ${formatMonth(calendarMonth)} drill`
          : 'Start a drill'}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          You lead the run. Name the others taking part; only participants can
          check steps.
        </DialogContentText>
        {serverError && (
          <Alert severity="error" role="alert">
            {serverError}
          </Alert>
        )}
        <TextField
          id="start-run-scenario"
          select
          label="Scenario"
          value={scenarioId}
          onChange={event => setScenarioId(event.target.value)}
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          disabled={Boolean(calendarMonth)}
          required
          fullWidth
          margin="dense"
          error={showErrors && !scenarioId}
          helperText={
            showErrors && !scenarioId
              ? 'Choose a scenario'
              : calendarMonth &&
                'The scenario the calendar names for this month'
          }
        >
          <option value="">Choose a scenario</option>
          {scenarios.map(scenario => (
            <option key={scenario.id} value={scenario.id}>
              {scenario.title}
            </option>
          ))}
        </TextField>
        <Box mt={2}>
          <Typography variant="subtitle2">Participants</Typography>
          {rows.map((row, index) => {
            const error = showErrors ? rowError(row) : undefined;
            return (
              <Box key={index} display="flex" alignItems="flex-start">
                <Box flex={1} mr={1}>
                  <TextField
                    id={`start-run-participant-${index}`}
                    label={`Participant ${index + 1}`}
                    placeholder="user:default/jane.doe"
                    value={row.entityRef}
                    onChange={event =>
                      setRow(index, { entityRef: event.target.value })
                    }
                    fullWidth
                    margin="dense"
                    error={Boolean(error)}
                    helperText={error}
                  />
                </Box>
                <TextField
                  id={`start-run-role-${index}`}
                  select
                  label={`Role ${index + 1}`}
                  value={row.role}
                  onChange={event =>
                    setRow(index, {
                      role: event.target.value as ParticipantRole,
                    })
                  }
                  SelectProps={{ native: true }}
                  InputLabelProps={{ shrink: true }}
                  margin="dense"
                >
                  {OTHER_ROLES.map(role => (
                    <option key={role} value={role}>
                      {role}
                    </option>
                  ))}
                </TextField>
                <IconButton
                  aria-label={`Remove participant ${index + 1}`}
                  onClick={() =>
                    setRows(previous => previous.filter((_, i) => i !== index))
                  }
                >
                  <DeleteIcon />
                </IconButton>
              </Box>
            );
          })}
          <Button
            size="small"
            onClick={() =>
              setRows(previous => [
                ...previous,
                { entityRef: '', role: 'coordinator' },
              ])
            }
          >
            Add participant
          </Button>
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={submitting}
        >
          Start drill
        </Button>
      </DialogActions>
    </Dialog>
  );
}
