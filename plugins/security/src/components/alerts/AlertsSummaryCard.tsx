import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { securityApiRef } from '../../api';
import { formatCount } from '../common/format';
import { AlertsChart } from './AlertsChart';

export const SUMMARY_DAYS = 30;

/** How many alerts are open, and the last 30 days' alerts per day and severity. */
export function AlertsSummaryCard() {
  const api = useApi(securityApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getSummary(SUMMARY_DAYS),
    [api],
  );

  return (
    <InfoCard title={`Alerts in the last ${SUMMARY_DAYS} days`}>
      {loading && <Progress />}
      {error && (
        <LoadErrorPanel error={error} what="the alert summary" retry={retry} />
      )}
      {value && (
        <>
          <Box mb={2} aria-label="Open alerts" role="status">
            <Typography variant="h3" component="span">
              {formatCount(value.open)}
            </Typography>{' '}
            <Typography variant="subtitle1" component="span">
              open {value.open === 1 ? 'alert' : 'alerts'}
            </Typography>
          </Box>
          <AlertsChart summary={value} />
        </>
      )}
    </InfoCard>
  );
}
