import { CopyTextButton, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { drillsApiRef } from '../../api';

/** The same feed for calendar apps that open `webcal:` links. */
export const webcalUrl = (url: string) =>
  url.replace(/^https?:\/\//, 'webcal://');

/** The personal iCalendar feed of the next 12 months' drills. */
export function SubscribeDialog(props: { onClose: () => void }) {
  const api = useApi(drillsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getCalendarSubscription(),
    [api],
  );
  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>Subscribe to the drill calendar</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Add this address to Google Calendar, Outlook or Apple Calendar
          ("subscribe" or "add calendar from URL"). Your calendar app then shows
          the next 12 months of drills and follows skips, swaps and new dates by
          itself. The address is personal: it works without signing in, so do
          not share it.
        </DialogContentText>
        {loading && <Progress />}
        {error && (
          <LoadErrorPanel error={error} what="the subscription" retry={retry} />
        )}
        {value && (
          <>
            <Box display="flex" alignItems="center">
              <TextField
                id="drills-subscription-url"
                label="Calendar address"
                value={value.url}
                InputProps={{ readOnly: true }}
                fullWidth
                margin="dense"
              />
              <CopyTextButton
                text={value.url}
                tooltipText="Address copied"
                aria-label="Copy the calendar address"
              />
            </Box>
            <Box mt={2}>
              <Button
                variant="outlined"
                color="primary"
                href={webcalUrl(value.url)}
              >
                Open in your calendar app
              </Button>
            </Box>
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
