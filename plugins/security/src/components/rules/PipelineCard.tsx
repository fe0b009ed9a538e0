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

/** The live pipeline's counters since its backend process started. */
export function PipelineCard(props: { pipeline: SecurityPipelineStats }) {
  const { pipeline } = props;
  return (
    <InfoCard title="Pipeline">
      <Typography variant="body2" paragraph>
        The backend reads its own log stream. Every entry counts as read; the
        security-relevant ones become ECS events the rules see, the rest are
        skipped (by reason). Dropped events never reached the rules because they
        fell behind; late events arrived older than the newest event seen by
        more than the tolerance and were dropped too. Rising dropped or late
        counts mean alerts may be missing. Alerts the database could not take
        wait in the backend and are retried until stored; beyond 1,000 waiting,
        the oldest are dropped, and a restart loses the waiting ones. The
        counters start again when the backend restarts.
      </Typography>
      <StructuredMetadataTable
        options={{ titleFormat: asWritten }}
        dense
        metadata={{
          'Counting since': formatDateTime(pipeline.startedAt),
          'Log entries read': formatCount(pipeline.entries),
          'Events the rules saw': formatCount(pipeline.events),
          Skipped: skippedText(pipeline.skipped),
          Dropped: formatCount(pipeline.dropped),
          Late: formatCount(pipeline.late),
          'Alerts raised': formatCount(pipeline.alerts),
          'Alerts waiting to be stored': formatCount(pipeline.pendingAlerts),
          'Alerts dropped unstored': formatCount(pipeline.alertsDropped),
        }}
      />
    </InfoCard>
  );
}
