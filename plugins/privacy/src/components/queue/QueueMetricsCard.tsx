import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusWarning,
  StructuredMetadataTable,
} from '@backstage/core-components';
import type { QueueMetrics } from '@internal/plugin-privacy-common';

function flagged(count: number, Status: typeof StatusError) {
  return count > 0 ? <Status>{count}</Status> : <StatusOK>0</StatusOK>;
}

/** The job queue behind the requests: how much waits, runs, and failed. */
export function QueueMetricsCard(props: {
  metrics?: QueueMetrics;
  loading: boolean;
  error?: Error;
}) {
  const { metrics, loading, error } = props;
  let content;
  if (error) {
    content = (
      <ResponseErrorPanel error={error} title="Could not load the queue" />
    );
  } else if (loading || !metrics) {
    content = <Progress />;
  } else {
    content = (
      <StructuredMetadataTable
        dense
        options={{ titleFormat: key => key }}
        metadata={{
          Waiting: metrics.waiting,
          Active: metrics.active,
          Delayed: metrics.delayed,
          Failed: flagged(metrics.failed, StatusError),
          'Dead-lettered': flagged(metrics.deadLettered, StatusWarning),
        }}
      />
    );
  }
  return (
    <InfoCard title="Queue" subheader="Jobs right now" variant="gridItem">
      {content}
    </InfoCard>
  );
}
