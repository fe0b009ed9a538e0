import { formatDateTime } from '@internal/plugin-ops-react';
import type { SecurityEvent } from '@internal/plugin-security-common';
import Box from '@material-ui/core/Box';
import Collapse from '@material-ui/core/Collapse';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowRightIcon from '@material-ui/icons/KeyboardArrowRight';
import { Fragment, useState } from 'react';
import { eventRow } from './eventFields';

const HEADERS = [
  'Time',
  'Action',
  'Outcome',
  'Source IP',
  'User',
  'Request',
  'Status',
  'User agent',
];
const dash = (value: string | undefined) => value ?? '—';

function EventRow(props: { event: SecurityEvent; index: number }) {
  const [open, setOpen] = useState(false);
  const row = eventRow(props.event);
  const request =
    row.method || row.path
      ? [row.method, row.path].filter(Boolean).join(' ')
      : undefined;
  return (
    <Fragment>
      <TableRow>
        <TableCell padding="checkbox">
          <IconButton
            size="small"
            aria-expanded={open}
            aria-label={`${open ? 'Hide' : 'Show'} the ECS document of event ${
              props.index + 1
            }`}
            onClick={() => setOpen(!open)}
          >
            {open ? <KeyboardArrowDownIcon /> : <KeyboardArrowRightIcon />}
          </IconButton>
        </TableCell>
        <TableCell>
          {row.timestamp ? formatDateTime(row.timestamp) : '—'}
        </TableCell>
        <TableCell>{dash(row.action)}</TableCell>
        <TableCell>{dash(row.outcome)}</TableCell>
        <TableCell>{dash(row.ip)}</TableCell>
        <TableCell>{dash(row.user)}</TableCell>
        <TableCell>{dash(request)}</TableCell>
        <TableCell>{dash(row.statusCode)}</TableCell>
        <TableCell>{dash(row.userAgent)}</TableCell>
      </TableRow>
      <TableRow>
        <TableCell
          style={{ paddingBottom: 0, paddingTop: 0 }}
          colSpan={HEADERS.length + 1}
        >
          <Collapse in={open} timeout={0} unmountOnExit>
            <Box
              component="pre"
              aria-label={`ECS document of event ${props.index + 1}`}
              p={1}
              m={0}
              style={{ overflowX: 'auto', fontSize: '0.8rem' }}
            >
              {JSON.stringify(props.event, null, 2)}
            </Box>
          </Collapse>
        </TableCell>
      </TableRow>
    </Fragment>
  );
}

/** The triggering events, oldest first; each row opens its ECS document. */
export function EventsTable(props: { events: SecurityEvent[] }) {
  if (props.events.length === 0) {
    return (
      <Typography color="textSecondary">
        The alert holds no events (they may have been trimmed).
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Triggering events">
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox" />
          {HEADERS.map(header => (
            <TableCell key={header}>{header}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {props.events.map((event, index) => (
          <EventRow key={index} event={event} index={index} />
        ))}
      </TableBody>
    </Table>
  );
}
