import { useApi } from '@backstage/core-plugin-api';
import type { Binder } from '@internal/plugin-evidence-common';
import { submitErrorMessage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import DownloadIcon from '@material-ui/icons/GetApp';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { evidenceApiRef } from '../../api';
import { useDownload } from '../../hooks/useDownload';
import { useLive } from '../../hooks/useLive';
import { formatBytes } from '../../lib/format';
import { BinderStateChip } from '../common/StateChip';
import { BinderVerificationView } from './BinderVerificationView';

const settled = (binder: Binder) =>
  binder.state === 'ready' || binder.state === 'failed';

function Progress(props: { binder: Binder }) {
  const { files, totalFiles, bytes, totalBytes } = props.binder.progress;
  const percent = totalFiles > 0 ? (files / totalFiles) * 100 : 0;
  return (
    <Box minWidth={200}>
      <LinearProgress
        variant={totalFiles > 0 ? 'determinate' : 'indeterminate'}
        value={percent}
        aria-label="Binder progress"
      />
      <Typography variant="caption" color="textSecondary">
        {totalFiles > 0
          ? `${files} of ${totalFiles} files, ${formatBytes(
              bytes,
            )} of ${formatBytes(totalBytes)}`
          : 'waiting to start'}
      </Typography>
    </Box>
  );
}

/** The name the backend gives the archive, for the saved file. */
export function binderFileName(binder: Binder): string {
  const day = (iso: string) => iso.slice(0, 10);
  return `soc2-binder-${day(binder.periodStart)}-${day(
    binder.periodEnd,
  )}.tar.gz`;
}

function Actions(props: { binder: Binder }) {
  const api = useApi(evidenceApiRef);
  const { id } = props.binder;
  const fetchFile = useCallback(() => api.downloadBinder(id), [api, id]);
  const { download, downloading } = useDownload(
    fetchFile,
    binderFileName(props.binder),
    `binder ${id}`,
  );
  const [open, setOpen] = useState(false);
  const [verification, verify] = useAsyncFn(
    () => api.verifyBinder(id),
    [api, id],
  );
  return (
    <Box display="flex" style={{ gap: 8 }}>
      <Button
        size="small"
        variant="contained"
        color="primary"
        startIcon={<DownloadIcon />}
        onClick={() => download()}
        disabled={downloading}
      >
        Download
      </Button>
      <Button
        size="small"
        variant="outlined"
        onClick={() => {
          setOpen(true);
          verify();
        }}
      >
        Verify
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        fullWidth
        maxWidth="sm"
      >
        <DialogTitle>Verification of binder {id}</DialogTitle>
        <DialogContent>
          {verification.loading && <LinearProgress />}
          {verification.error && (
            <Alert severity="error" role="alert">
              Could not verify: {submitErrorMessage(verification.error)}
            </Alert>
          )}
          {!verification.loading && verification.value && (
            <BinderVerificationView result={verification.value} />
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Close</Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}

/**
 * A binder's state, followed while it is queued or building (progress in
 * files and bytes); Download and Verify once it is ready.
 */
export function BinderStatus(props: { binder: Binder }) {
  const api = useApi(evidenceApiRef);
  const { id } = props.binder;
  const load = useCallback(() => api.getBinder(id), [api, id]);
  const { value: binder, error } = useLive({
    initial: props.binder,
    load,
    settled,
  });
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 4 }}>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <BinderStateChip state={binder.state} />
        {binder.state === 'ready' && (
          <Typography variant="caption" color="textSecondary">
            {formatBytes(binder.sizeBytes)}
          </Typography>
        )}
      </Box>
      {!settled(binder) && <Progress binder={binder} />}
      {binder.state === 'ready' && <Actions binder={binder} />}
      {binder.state === 'failed' && (
        <Typography variant="caption" color="error">
          {binder.error ?? 'The build failed; nothing is offered.'}
        </Typography>
      )}
      {error && (
        <Typography variant="caption" color="error">
          Could not read its progress: {error.message}
        </Typography>
      )}
    </Box>
  );
}
