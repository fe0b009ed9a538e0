import { ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';

/**
 * The backend's error for a read (`Could not load <what>`), with a
 * "Try again" button when `retry` is given.
 */
export function LoadErrorPanel(props: {
  error: Error;
  /** What could not be loaded, as it reads after "Could not load". */
  what: string;
  retry?: () => void;
}) {
  return (
    <Box>
      <ResponseErrorPanel
        error={props.error}
        title={`Could not load ${props.what}`}
      />
      {props.retry && (
        <Button variant="outlined" onClick={props.retry}>
          Try again
        </Button>
      )}
    </Box>
  );
}
