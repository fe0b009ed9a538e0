import {
  CodeSnippet,
  CopyTextButton,
  InfoCard,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import useAsync from 'react-use/esm/useAsync';
import { evidenceApiRef } from '../../api';

export const AUDITOR_COMMANDS = [
  'sha256sum -c SHA256SUMS',
  'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.json.sig',
];

/** The binder signing key, and how an auditor checks a binder without our code. */
export function PublicKeyCard() {
  const api = useApi(evidenceApiRef);
  const key = useAsync(() => api.getPublicKey(), [api]);
  return (
    <InfoCard
      title="Verify a binder yourself"
      subheader="Unpack the binder, then run these in its folder. public-key.pem is in the binder and here."
    >
      {AUDITOR_COMMANDS.map(command => (
        <Box key={command} mb={1}>
          <CodeSnippet text={command} language="bash" showCopyCodeButton />
        </Box>
      ))}
      <Box display="flex" alignItems="center" mt={2}>
        <Typography variant="subtitle2">
          Signing public key (Ed25519)
        </Typography>
        {key.value && <CopyTextButton text={key.value} />}
      </Box>
      {key.loading && <Progress />}
      {key.error && <LoadErrorPanel error={key.error} what="the public key" />}
      {key.value && (
        <pre
          aria-label="Public key"
          style={{ fontFamily: 'monospace', whiteSpace: 'pre-wrap', margin: 0 }}
        >
          {key.value}
        </pre>
      )}
    </InfoCard>
  );
}
