import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { formatDateTime } from '@internal/plugin-ops-react';
import type { SecurityPipelineStats } from '@internal/plugin-security-common';
import Typography from '@material-ui/core/Typography';
import { asWritten, formatCount } from '../common/format';

function skippedText(skipped: Record<string, number>): string {
  const reasons = Object.entries(skipped).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  if (reasons.length === 0) return 'none';
  return reasons
    .map(([reason, count]) => `${reason}: ${formatCount(count)}`)
    .join(', ');
}

/** The live pipeline's counters of this backend replica, and the shared stream's state. */
export function PipelineCard(props: { pipeline: SecurityPipelineStats }) {
  const { pipeline } = props;
  return (
    <InfoCard title="Pipeline">
      <Typography variant="body2" paragraph>
        Every backend replica reads its own log stream. Every entry counts as
        read; the security-relevant ones become ECS events, the rest are skipped
        (by reason). Events a rule could match go to a stream shared by all
        replicas, where one replica at a time runs the rules over everyone's
        events. Dropped events never reached the stream because this replica
        fell behind; events the database could not take wait in this replica and
        are retried until stored (beyond 10,000 waiting, the oldest are
        dropped). Late events arrived older than the newest event seen by more
        than the tolerance. Rising dropped, late or waiting counts mean alerts
        may be missing or delayed. The counters are this replica's and start
        again when it restarts; the stream's waiting events and the rules' last
        run are shared.
      </Typography>
      <StructuredMetadataTable
        options={{ titleFormat: asWritten }}
        dense
        metadata={{
          'Counting since': formatDateTime(pipeline.startedAt),
          'Log entries read': formatCount(pipeline.entries),
          'Events the rules saw': formatCount(pipeline.events),
          'Sent to the shared stream': formatCount(pipeline.streamed),
          Skipped: skippedText(pipeline.skipped),
          Dropped: formatCount(pipeline.dropped),
          Late: formatCount(pipeline.late),
          'Alerts raised': formatCount(pipeline.alerts),
          'Events waiting to be stored': formatCount(pipeline.pendingEvents),
          'Events dropped unstored': formatCount(pipeline.eventsDropped),
          'Stream events the rules have not read': formatCount(
            pipeline.streamLag,
          ),
          'Rules last ran': pipeline.detectorRunAt
            ? formatDateTime(pipeline.detectorRunAt)
            : 'not yet',
        }}
      />
    </InfoCard>
  );
}
