import {
  InfoCard,
  StatusError,
  StructuredMetadataTable,
} from '@backstage/core-components';
import type { DsarRequest } from '@internal/plugin-privacy-common';
import Box from '@material-ui/core/Box';
import { formatDateTime, priorityName } from '../../lib/format';
import { DemoChip } from '../common/DemoChip';
import { RequestStateChip } from '../common/RequestStateChip';
import { SlaCountdown } from '../common/SlaCountdown';

/**
 * Who asked for what, its state, deadlines and attempts. The subject id
 * reads "hidden" for those the policy does not let see it
 * (privacy.request.subject.read): the API withholds it.
 */
export function RequestSummaryCard(props: { request: DsarRequest }) {
  const { request } = props;
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <span>
            {request.type === 'export' ? 'Export' : 'Erasure'} {request.id}
          </span>
          <RequestStateChip state={request.state} />
          {request.demo && <DemoChip />}
        </Box>
      }
      subheader={`Subject ${
        request.subjectHidden ? 'hidden' : request.subjectId
      }, ${request.region} (${request.jurisdiction})`}
      variant="gridItem"
    >
      <StructuredMetadataTable
        dense
        options={{ titleFormat: key => key }}
        metadata={{
          Priority: priorityName(request.priority),
          Requester: request.requester,
          'Approved by': request.approvedBy ?? '—',
          Received: formatDateTime(request.createdAt),
          'SLA due': (
            <>
              {formatDateTime(request.slaDueAt)}{' '}
              <SlaCountdown request={request} />
            </>
          ),
          'Legal due': formatDateTime(request.legalDueAt),
          'Extension reason': request.extensionReason ?? '—',
          Completed: formatDateTime(request.completedAt),
          Attempts: request.attempts,
          'Last error': request.lastError ? (
            <StatusError>{request.lastError}</StatusError>
          ) : (
            '—'
          ),
        }}
      />
    </InfoCard>
  );
}
