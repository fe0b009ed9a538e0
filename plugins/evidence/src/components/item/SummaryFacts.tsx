import { InfoCard } from '@backstage/core-components';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatFact } from '../../lib/format';

/** The small facts a collector wrote beside the file (counts, flags). */
export function SummaryFacts(props: { summary: Record<string, unknown> }) {
  const entries = Object.entries(props.summary ?? {});
  return (
    <InfoCard title="Summary">
      {entries.length === 0 ? (
        <Typography color="textSecondary">
          No summary facts: the file holds the detail.
        </Typography>
      ) : (
        <Table size="small" aria-label="Summary facts">
          <TableBody>
            {entries.map(([key, value]) => (
              <TableRow key={key}>
                <TableCell component="th" scope="row">
                  {key}
                </TableCell>
                <TableCell>{formatFact(value)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}
