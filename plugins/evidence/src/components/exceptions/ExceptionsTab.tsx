import { EmptyState, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  evidenceExceptionPermission,
  type EvidenceException,
} from '@internal/plugin-evidence-common';
import { PagedTable, submitErrorMessage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import AddIcon from '@material-ui/icons/Add';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useMemo, useState } from 'react';
import { evidenceApiRef, type ExceptionState } from '../../api';
import { usePermitted } from '../../hooks/usePermitted';
import { useCriteria } from '../../hooks/useReference';
import { formatDate, formatDateTime } from '../../lib/format';
import { ToneChip } from '../common/StateChip';
import { ExceptionDialog } from './ExceptionDialog';
import { unsorted } from '../common/columns';

const STATES: ExceptionState[] = ['active', 'expired', 'revoked'];

function stateOf(exception: EvidenceException): ExceptionState {
  if (exception.revokedAt) return 'revoked';
  return Date.parse(exception.expiresAt) <= Date.now() ? 'expired' : 'active';
}

/** Exceptions by state; record a new one, revoke an active one. */
export function ExceptionsTab() {
  const api = useApi(evidenceApiRef);
  const criteria = useCriteria();
  const permitted = usePermitted(evidenceExceptionPermission);
  const [state, setState] = useState<ExceptionState | ''>('active');
  const [generation, setGeneration] = useState(0);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [revoking, setRevoking] = useState<EvidenceException>();
  const [revokeError, setRevokeError] = useState<string>();
  const reload = useCallback(() => setGeneration(g => g + 1), []);

  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      api.listExceptions({ ...page, ...(state ? { state } : {}) }),
    [api, state],
  );
  const revoke = async () => {
    if (!revoking) return;
    setRevokeError(undefined);
    try {
      await api.revokeException(revoking.id);
      setRevoking(undefined);
      reload();
    } catch (error) {
      setRevokeError(submitErrorMessage(error));
    }
  };
  const columns = useMemo<TableColumn<EvidenceException>[]>(
    () =>
      unsorted<EvidenceException>([
        { title: 'Point', field: 'point' },
        {
          title: 'State',
          field: 'expiresAt',
          render: row => {
            const s = stateOf(row);
            return (
              <ToneChip label={s} tone={s === 'active' ? 'aside' : 'idle'} />
            );
          },
        },
        { title: 'Reason', field: 'reason' },
        { title: 'Approver', field: 'approver' },
        {
          title: 'Expires',
          field: 'expiresAt',
          render: row => formatDate(row.expiresAt),
        },
        {
          title: 'Recorded',
          field: 'createdAt',
          render: row => `${formatDateTime(row.createdAt)} by ${row.createdBy}`,
        },
        {
          title: '',
          field: 'id',
          render: row =>
            stateOf(row) === 'active' && permitted.allowed ? (
              <Button size="small" onClick={() => setRevoking(row)}>
                Revoke
              </Button>
            ) : null,
        },
      ]),
    [permitted.allowed],
  );

  return (
    <>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 16 }}>
        <TextField
          select
          id="exceptions-filter-state"
          label="State"
          value={state}
          onChange={event =>
            setState(event.target.value as ExceptionState | '')
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          variant="outlined"
          size="small"
        >
          <option value="">Any</option>
          {STATES.map(s => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </TextField>
        <Box flexGrow={1} />
        {permitted.allowed && (
          <Button
            variant="contained"
            color="primary"
            startIcon={<AddIcon />}
            onClick={() => setDialogOpen(true)}
            disabled={!criteria.value}
          >
            New exception
          </Button>
        )}
      </Box>
      <PagedTable
        key={generation}
        title="Exceptions"
        columns={columns}
        load={load}
        emptyContent={
          <EmptyState
            missing="data"
            title={state ? `No ${state} exceptions` : 'No exceptions'}
            description="An exception records why a point is knowingly not covered, who approved it and until when."
          />
        }
      />
      <ExceptionDialog
        open={dialogOpen}
        criteria={criteria.value ?? []}
        onClose={() => setDialogOpen(false)}
        onCreated={() => {
          setDialogOpen(false);
          reload();
        }}
      />
      <Dialog open={Boolean(revoking)} onClose={() => setRevoking(undefined)}>
        <DialogTitle>Revoke the exception for {revoking?.point}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            The point counts by its evidence again: stale or missing if it has
            none fresh.
          </DialogContentText>
          {revokeError && (
            <Alert severity="error" role="alert">
              {revokeError}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRevoking(undefined)}>Cancel</Button>
          <Button color="primary" variant="contained" onClick={revoke}>
            Revoke
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
