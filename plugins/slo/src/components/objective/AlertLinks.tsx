import { Link } from '@backstage/core-components';
import type { SloAlertLink } from '@internal/plugin-slo-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';

/** What the notifiers made for an alert: tickets, incidents, threads. */
export function AlertLinks(props: { links: SloAlertLink[] }) {
  if (props.links.length === 0) return <>–</>;
  return (
    <Box>
      {props.links.map(link => (
        <Typography key={`${link.target}:${link.externalId}`} variant="body2">
          {link.type}:{' '}
          {link.url ? (
            <Link to={link.url}>{link.externalId}</Link>
          ) : (
            link.externalId
          )}
        </Typography>
      ))}
    </Box>
  );
}
