import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef, useRouteRefParams } from '@backstage/core-plugin-api';
import { OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useRequestDetail } from '../hooks/useRequestDetail';
import { describeError } from '@internal/plugin-ops-react';
import { requestRouteRef, rootRouteRef } from '../routes';
import { AuditTimeline } from './request/AuditTimeline';
import { ErasureProofCard } from './request/ErasureProofCard';
import { ExportCard } from './request/ExportCard';
import { RequestActions } from './request/RequestActions';
import { RequestSummaryCard } from './request/RequestSummaryCard';
import { SourceResultsTable } from './request/SourceResultsTable';

/** One DSAR request: its state and deadlines, sources, proof or export, and audit trail. */
export function RequestPage() {
  const { id } = useRouteRefParams(requestRouteRef);
  const queuePath = useRouteRef(rootRouteRef);
  const { detail, audit, refresh } = useRequestDetail(id);
  const request = detail.value;

  let content;
  if (detail.error && describeError(detail.error).status === 404) {
    content = (
      <EmptyState
        missing="data"
        title="No such request"
        description={`There is no privacy request ${id}.`}
      />
    );
  } else if (detail.error) {
    content = (
      <ResponseErrorPanel
        error={detail.error}
        title="Could not load the request"
      />
    );
  } else if (!request) {
    content = <Progress />;
  } else {
    content = (
      <Grid container spacing={3}>
        <Grid item xs={12} md={7}>
          <RequestSummaryCard request={request} />
        </Grid>
        <Grid item xs={12} md={5}>
          {request.type === 'delete' ? (
            <ErasureProofCard proof={request.erasureProof} />
          ) : (
            <ExportCard
              requestId={request.id}
              bundle={request.export}
              completed={request.state === 'completed'}
            />
          )}
        </Grid>
        <Grid item xs={12}>
          <SourceResultsTable type={request.type} sources={request.sources} />
        </Grid>
        <Grid item xs={12}>
          <AuditTimeline
            events={audit.value}
            loading={audit.loading}
            error={audit.error}
          />
        </Grid>
      </Grid>
    );
  }

  return (
    <OpsPage
      title={`Privacy request ${id}`}
      subtitle="State, deadlines, per-source results and audit trail"
      actions={
        request && <RequestActions request={request} onChanged={refresh} />
      }
    >
      <Box mb={2}>
        <Link to={queuePath()}>← Back to the queue</Link>
      </Box>
      {content}
    </OpsPage>
  );
}
