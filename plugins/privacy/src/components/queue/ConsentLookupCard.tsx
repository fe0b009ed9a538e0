import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import { FormEvent, useState } from 'react';
import { useConsentLookup } from '../../hooks/useConsentLookup';
import { ConsentStateView } from './ConsentStateView';

/** A data subject's current consents and their history, by subject id. */
export function ConsentLookupCard() {
  const [subjectId, setSubjectId] = useState('');
  const { value, loading, error, lookup } = useConsentLookup();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (subjectId.trim()) lookup(subjectId);
  };
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
        </Box>
      </form>
      <Box mt={2}>
        {loading && <Progress />}
        {!loading && error && (
          <ResponseErrorPanel error={error} title="Could not look up consent" />
        )}
        {!loading && !error && value && <ConsentStateView consent={value} />}
      </Box>
    </InfoCard>
  );
}
