import { InfoCard } from '@backstage/core-components';
import type { CoverageReport } from '@internal/plugin-evidence-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { formatDateTime } from '../../lib/format';
import { POINT_STATUSES, PointStatusChip } from '../common/StateChip';
import { StatusBar } from '../common/StatusBar';

const explanation = {
  fresh: 'evidence within its cadence',
  stale: 'evidence older than its cadence',
  missing: 'no evidence filed',
  exception: 'excepted for a reason, not counted as covered',
} as const;

/** Counts per status over every point, and a bar per criterion. */
export function CoverageSummary(props: { report: CoverageReport }) {
  const { report } = props;
  const total = POINT_STATUSES.reduce(
    (sum, status) => sum + (report.counts[status] ?? 0),
    0,
  );
  return (
    <InfoCard
      title="Coverage"
      subheader={`Computed from evidence and exception rows at ${formatDateTime(
        report.at,
      )}`}
    >
      <Grid container spacing={2}>
        {POINT_STATUSES.map(status => (
          <Grid item xs={6} md={3} key={status}>
            <Box
              display="flex"
              flexDirection="column"
              alignItems="flex-start"
              aria-label={`${status} points`}
              role="group"
            >
              <Typography variant="h4" component="p">
                {report.counts[status] ?? 0}
              </Typography>
              <PointStatusChip status={status} />
              <Typography variant="caption" color="textSecondary">
                {explanation[status]}
              </Typography>
            </Box>
          </Grid>
        ))}
      </Grid>
      <Box mt={2} mb={1}>
        <Typography variant="body2">
          {report.counts.fresh ?? 0} of {total} points covered by fresh
          evidence; {report.counts.exception ?? 0} under an exception, counted
          apart.
        </Typography>
      </Box>
      <Box display="grid" style={{ gridTemplateColumns: 'auto 1fr auto', gap: 8 }}>
        {report.criteria.map(criterion => (
          <Box key={criterion.id} display="contents">
            <Typography variant="body2">
              <strong>{criterion.id}</strong> {criterion.title}
            </Typography>
            <Box alignSelf="center">
              <StatusBar label={criterion.id} counts={criterion.counts} />
            </Box>
            <Typography variant="body2" color="textSecondary">
              {criterion.counts.fresh ?? 0}/{criterion.points.length} fresh
            </Typography>
          </Box>
        ))}
      </Box>
    </InfoCard>
  );
}
