import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { submitErrorMessage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { evidenceApiRef, type EvidenceItemDetail } from '../../api';

/** The item's hash and chain position, and a check of both against what is stored. */
export function VerifyItemCard(props: { item: EvidenceItemDetail }) {
  const api = useApi(evidenceApiRef);
  const { item } = props;
  const [state, verify] = useAsyncFn(
    () => api.verifyItem(item.id),
    [api, item.id],
  );
  const result = state.value;
  return (
    <InfoCard
      title="Integrity"
      actions={
        <Button
          variant="outlined"
          color="primary"
          onClick={() => verify()}
          disabled={state.loading}
        >
          {state.loading ? 'Verifying…' : 'Verify'}
        </Button>
      }
    >
      <StructuredMetadataTable
        dense
        options={{ titleFormat: key => key }}
        metadata={{
          'SHA-256': (
            <code style={{ wordBreak: 'break-all' }}>{item.sha256}</code>
          ),
          'Chain position': item.chain ? String(item.chain.position) : '—',
          'Chain hash': item.chain ? (
            <code style={{ wordBreak: 'break-all' }}>{item.chain.hash}</code>
          ) : (
            'not in the chain'
          ),
        }}
      />
      <Box mt={2} aria-live="polite">
        {state.error && (
          <Alert severity="error" role="alert">
            Could not verify: {submitErrorMessage(state.error)}
          </Alert>
        )}
        {result &&
          (result.ok ? (
            <Alert severity="success">
              Verified: the stored file hashes to its SHA-256 and its row is in
              place in the audit chain.
            </Alert>
          ) : (
            <Alert severity="error">
              <Typography variant="body2">Verification failed.</Typography>
              {result.sha256.actual !== result.sha256.expected && (
                <Typography variant="body2">
                  SHA-256 expected {result.sha256.expected}, stored file hashes
                  to {result.sha256.actual ?? 'nothing (file missing)'}.
                </Typography>
              )}
              {!result.chain.ok && (
                <Typography variant="body2">
                  The audit chain does not verify at this item.
                </Typography>
              )}
              {(result.problems ?? []).map(problem => (
                <Typography variant="body2" key={problem}>
                  {problem}
                </Typography>
              ))}
            </Alert>
          ))}
      </Box>
    </InfoCard>
  );
}
