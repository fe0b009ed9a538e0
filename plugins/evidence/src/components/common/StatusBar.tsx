import Box from '@material-ui/core/Box';
import { makeStyles, Theme } from '@material-ui/core/styles';
import type { PointStatus } from '@internal/plugin-evidence-common';
import { POINT_STATUSES, POINT_STATUS_TONE } from './StateChip';

const useStyles = makeStyles((theme: Theme) => ({
  bar: {
    display: 'flex',
    height: 12,
    borderRadius: 6,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.hover,
    minWidth: 120,
  },
  ok: { backgroundColor: theme.palette.success.main },
  active: { backgroundColor: theme.palette.info.main },
  attention: { backgroundColor: theme.palette.warning.main },
  error: { backgroundColor: theme.palette.error.main },
  idle: { backgroundColor: theme.palette.grey[500] },
  aside: { backgroundColor: theme.palette.secondary.main },
}));

export function describeCounts(counts: Record<PointStatus, number>): string {
  return POINT_STATUSES.map(status => `${counts[status] ?? 0} ${status}`).join(
    ', ',
  );
}

/**
 * The points of one criterion as a stacked bar, one segment per status in
 * proportion to its count. The counts are also its accessible name.
 */
export function StatusBar(props: {
  label: string;
  counts: Record<PointStatus, number>;
}) {
  const classes = useStyles();
  const total = POINT_STATUSES.reduce(
    (sum, status) => sum + (props.counts[status] ?? 0),
    0,
  );
  return (
    <Box
      className={classes.bar}
      role="img"
      aria-label={`${props.label}: ${describeCounts(props.counts)}`}
    >
      {total > 0 &&
        POINT_STATUSES.map(status => {
          const count = props.counts[status] ?? 0;
          return count > 0 ? (
            <Box
              key={status}
              className={classes[POINT_STATUS_TONE[status]]}
              style={{ width: `${(count / total) * 100}%` }}
              title={`${count} ${status}`}
            />
          ) : null;
        })}
    </Box>
  );
}
