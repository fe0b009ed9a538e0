import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { AuditEvent } from '@internal/plugin-privacy-common';
import Typography from '@material-ui/core/Typography';
import Timeline from '@material-ui/lab/Timeline';
import TimelineConnector from '@material-ui/lab/TimelineConnector';
import TimelineContent from '@material-ui/lab/TimelineContent';
import TimelineDot from '@material-ui/lab/TimelineDot';
import TimelineItem from '@material-ui/lab/TimelineItem';
import TimelineOppositeContent from '@material-ui/lab/TimelineOppositeContent';
import TimelineSeparator from '@material-ui/lab/TimelineSeparator';
import { formatDateTime, summarizeData } from '../../lib/format';
import { AuditChainStatus } from './AuditChainStatus';

/** The request's audit trail, oldest first: who did what, when. */
export function AuditTimeline(props: {
  events?: AuditEvent[];
  loading: boolean;
  error?: Error;
}) {
  const { events, loading, error } = props;
  let content;
  if (error) {
    content = (
      <ResponseErrorPanel
        error={error}
        title="Could not load the audit trail"
      />
    );
  } else if (loading && !events) {
    content = <Progress />;
  } else if (!events || events.length === 0) {
    content = (
      <EmptyState missing="data" title="No audit events for this request" />
    );
  } else {
    const sorted = [...events].sort((a, b) => a.seq - b.seq);
    content = (
      <Timeline align="left">
        {sorted.map((event, index) => (
          <TimelineItem key={event.seq}>
            <TimelineOppositeContent style={{ flex: 0.25 }}>
              <Typography variant="body2" color="textSecondary">
                {formatDateTime(event.at)}
              </Typography>
            </TimelineOppositeContent>
            <TimelineSeparator>
              <TimelineDot
                color={index === sorted.length - 1 ? 'primary' : 'grey'}
              />
              {index < sorted.length - 1 && <TimelineConnector />}
            </TimelineSeparator>
            <TimelineContent>
              <Typography variant="subtitle2">{event.type}</Typography>
              <Typography variant="body2">by {event.actor}</Typography>
              {Object.keys(event.data ?? {}).length > 0 && (
                <Typography variant="caption" color="textSecondary">
                  {summarizeData(event.data)}
                </Typography>
              )}
            </TimelineContent>
          </TimelineItem>
        ))}
      </Timeline>
    );
  }
  return (
    <InfoCard
      title="Timeline"
      subheader="From the hash-chained audit log"
      action={<AuditChainStatus />}
    >
      {content}
    </InfoCard>
  );
}
