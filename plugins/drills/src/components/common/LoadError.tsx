import { ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';

/** The backend's error for a read, with a retry. */
export function LoadError(props: {
  error: Error;
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
