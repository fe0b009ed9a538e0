import type {
  CollectorInfo,
  CriterionCoverage,
  PointCoverage,
} from '@internal/plugin-evidence-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { formatDate, formatDateTime } from '../../lib/format';
import { POINT_STATUSES, PointStatusChip } from '../common/StateChip';
import { StatusBar, describeCounts } from '../common/StatusBar';

export interface CollectControls {
  /** The installed collectors by id; a point's other collectors get no button. */
  collectors: Map<string, CollectorInfo>;
  /** Collectors with a run under way from this page. */
  running: Set<string>;
  allowed: boolean;
  collect: (collectorId: string) => void;
}

function CollectButtons(props: { point: PointCoverage; controls: CollectControls }) {
  const { point, controls } = props;
  const available = point.collectors
    .map(id => controls.collectors.get(id))
    .filter((c): c is CollectorInfo => Boolean(c));
  if (available.length === 0) {
    return (
      <Typography variant="caption" color="textSecondary">
        {point.collectors.length === 0 ? 'upload only' : 'no collector installed'}
      </Typography>
    );
  }
  return (
    <Box display="flex" flexDirection="column" alignItems="flex-start">
      {available.map(collector => {
        const running = controls.running.has(collector.id);
        return (
          <Button
            key={collector.id}
            size="small"
            variant="outlined"
            color="primary"
            disabled={!controls.allowed || running}
            onClick={() => controls.collect(collector.id)}
            title={collector.description}
          >
            {running
              ? `Collecting: ${collector.title}`
              : `Collect now: ${collector.title}`}
          </Button>
        );
      })}
    </Box>
  );
}

function PointRow(props: { point: PointCoverage; controls: CollectControls }) {
  const { point, controls } = props;
  return (
    <TableRow data-testid={`point-${point.id}`}>
      <TableCell>
        <Typography variant="body2">
          <strong>{point.id}</strong> {point.title}
        </Typography>
        {point.exception && (
          <Typography variant="caption" color="textSecondary" component="p">
            Exception until {formatDate(point.exception.expiresAt)}, approved by{' '}
            {point.exception.approver}: {point.exception.reason}
          </Typography>
        )}
      </TableCell>
      <TableCell>
        <PointStatusChip status={point.status} />
      </TableCell>
      <TableCell align="right">{point.itemCount}</TableCell>
      <TableCell>{formatDateTime(point.lastCollectedAt)}</TableCell>
      <TableCell>{formatDateTime(point.freshUntil)}</TableCell>
      <TableCell>
        <CollectButtons point={point} controls={controls} />
      </TableCell>
    </TableRow>
  );
}

/** One criterion: its counts and bar, expanding into its points. */
export function CriterionAccordion(props: {
  criterion: CriterionCoverage;
  controls: CollectControls;
}) {
  const { criterion, controls } = props;
  const headingId = `criterion-${criterion.id}-heading`;
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }}>
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        id={headingId}
        aria-label={`${criterion.id} ${criterion.title}: ${describeCounts(
          criterion.counts,
        )}`}
      >
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          width="100%"
          style={{ gap: 16 }}
        >
          <Typography variant="subtitle1" style={{ minWidth: 280 }}>
            <strong>{criterion.id}</strong> {criterion.title}
          </Typography>
          <Box width={160}>
            <StatusBar label={criterion.id} counts={criterion.counts} />
          </Box>
          <Typography variant="body2" color="textSecondary">
            {POINT_STATUSES.map(s => `${criterion.counts[s] ?? 0} ${s}`).join(' · ')}
          </Typography>
        </Box>
      </AccordionSummary>
      <AccordionDetails>
        <Table size="small" aria-label={`${criterion.id} points: ${describeCounts(criterion.counts)}`}>
          <TableHead>
            <TableRow>
              <TableCell>Point</TableCell>
              <TableCell>Status</TableCell>
              <TableCell align="right">Items</TableCell>
              <TableCell>Last collection</TableCell>
              <TableCell>Fresh until</TableCell>
              <TableCell>Collect</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {criterion.points.map(point => (
              <PointRow key={point.id} point={point} controls={controls} />
            ))}
          </TableBody>
        </Table>
      </AccordionDetails>
    </Accordion>
  );
}
