import { InfoCard, Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type {
  RunEvidenceFiling,
  RunView,
} from '@internal/plugin-drills-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { rootRouteRef } from '../../routes';

function EvidenceStatus(props: { evidence: RunEvidenceFiling | null }) {
  const { evidence } = props;
  if (!evidence) {
    return (
      <Alert severity="info">Evidence filing has not been queued yet.</Alert>
    );
  }
  if (evidence.state === 'filed') {
    return (
      <Alert severity="success">
        Evidence filed as{' '}
        <Link
          to={`/evidence/items/${encodeURIComponent(evidence.itemId ?? '')}`}
        >
          {evidence.itemId}
        </Link>
        .
      </Alert>
    );
  }
  if (evidence.state === 'failed') {
    return (
      <Alert severity="error">
        Evidence filing failed after {evidence.attempts}{' '}
        {evidence.attempts === 1 ? 'attempt' : 'attempts'}:{' '}
        {evidence.lastError ?? 'no reason given'}
      </Alert>
    );
  }
  return (
    <Alert severity="warning">
      Evidence filing pending ({evidence.attempts}{' '}
      {evidence.attempts === 1 ? 'attempt' : 'attempts'} so far
      {evidence.lastError ? `; last error: ${evidence.lastError}` : ''}). It is
      retried until the evidence plugin takes it.
    </Alert>
  );
}

/** A finished run's report and where its SOC 2 evidence stands. */
export function FinishedRun(props: { run: RunView }) {
  const root = useRouteRef(rootRouteRef);
  const reportPath = `${root()}/runs/${encodeURIComponent(
    props.run.id,
  )}/report`;
  return (
    <InfoCard title="Report and evidence">
      <Typography paragraph>
        <Link to={reportPath}>Read the drill report</Link>
      </Typography>
      <EvidenceStatus evidence={props.run.evidence} />
    </InfoCard>
  );
}
