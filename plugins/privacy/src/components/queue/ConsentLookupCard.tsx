import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  privacyRequestCreatePermission,
  type ConsentState,
} from '@internal/plugin-privacy-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import { FormEvent, useCallback, useState } from 'react';
import { useConsentLookup } from '../../hooks/useConsentLookup';
import { ConsentStateView } from './ConsentStateView';
import { RecordConsentDialog } from './RecordConsentDialog';

/**
 * A data subject's current consents and their history, by subject id. Users
 * allowed to create requests (privacy.request.create, which POST /consent
 * needs) can also record a consent change; the server checks it again.
 */
export function ConsentLookupCard() {
  const [subjectId, setSubjectId] = useState('');
  const [recordOpen, setRecordOpen] = useState(false);
  const { value, loading, error, lookup } = useConsentLookup();
  const recorder = usePermission({
    permission: privacyRequestCreatePermission,
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (subjectId.trim()) lookup(subjectId);
  };
  const onRecorded = useCallback(
    (state: ConsentState) => {
      setRecordOpen(false);
      setSubjectId(state.subjectId);
      lookup(state.subjectId);
    },
    [lookup],
  );
  return (
    <InfoCard
      title="Consent lookup"
      subheader="Current consents and history of one data subject"
    >
      <form onSubmit={onSubmit}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <TextField
            id="consent-lookup-subject-id"
            label="Subject id"
            value={subjectId}
            onChange={event => setSubjectId(event.target.value)}
            size="small"
            variant="outlined"
          />
          <Button
            type="submit"
            variant="outlined"
            disabled={!subjectId.trim() || loading}
          >
            Look up
          </Button>
          {recorder.allowed && (
            <Button
              color="primary"
              variant="outlined"
              onClick={() => setRecordOpen(true)}
            >
              Record consent
            </Button>
          )}
        </Box>
      </form>
      <Box mt={2}>
        {loading && <Progress />}
        {!loading && error && (
          <ResponseErrorPanel error={error} title="Could not look up consent" />
        )}
        {!loading && !error && value && <ConsentStateView consent={value} />}
      </Box>
      <RecordConsentDialog
        open={recordOpen}
        subjectId={value?.subjectId ?? subjectId.trim()}
        onClose={() => setRecordOpen(false)}
        onRecorded={onRecorded}
      />
    </InfoCard>
  );
}
