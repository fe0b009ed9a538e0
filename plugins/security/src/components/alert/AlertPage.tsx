import {
  InfoCard,
  Link,
  Progress,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  LoadErrorPanel,
  OpsPage,
  formatDateTime,
} from '@internal/plugin-ops-react';
import type {
  SecurityAlertDetail,
  SecurityAlertSummary,
} from '@internal/plugin-security-common';
import Box from '@material-ui/core/Box';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { securityApiRef } from '../../api';
import { NotificationState, SeverityChip, StatusChip } from '../common/chips';
import { asWritten } from '../common/format';
import { useSecurityPaths } from '../common/paths';
import { EventsTable } from './EventsTable';
import { StatusActions } from './StatusActions';

function AlertDetails(props: { alert: SecurityAlertSummary }) {
  const { alert } = props;
  const change = alert.statusChange;
  return (
    <StructuredMetadataTable
      options={{ titleFormat: asWritten }}
      metadata={{
        Severity: <SeverityChip severity={alert.severity} />,
        Status: <StatusChip status={alert.status} />,
        Rule: alert.ruleId,
        Group: `${alert.groupBy}: ${alert.groupKey}`,
        Events: alert.count,
        'First event': formatDateTime(alert.firstAt),
        'Last event': formatDateTime(alert.lastAt),
        Raised: formatDateTime(alert.raisedAt),
        Notification: <NotificationState state={alert.notification} />,
        ...(change
          ? {
              'Last status change': `${change.by}, ${formatDateTime(
                change.at,
              )}: ${change.note}`,
            }
          : {}),
      }}
    />
  );
}

/** One alert: what fired, where it stands, and the events that triggered it. */
export function AlertPage() {
  const api = useApi(securityApiRef);
  const paths = useSecurityPaths();
  const id = useParams().id ?? '';
  // A status change answers the summary: shown at once over what was loaded.
  const [changed, setChanged] = useState<SecurityAlertSummary>();
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    const loaded: SecurityAlertDetail = await api.getAlert(id);
    setChanged(undefined);
    return loaded;
  }, [api, id]);
  const alert = value && { ...value, ...changed };

  return (
    <OpsPage
      title={alert?.title ?? 'Security alert'}
      subtitle="A security alert and the events that triggered it"
      actions={alert && <StatusActions alert={alert} onChanged={setChanged} />}
    >
      <Box mb={2}>
        <Link to={paths.tab('alerts')}>Back to all alerts</Link>
      </Box>
      {loading && !value && <Progress />}
      {error && <LoadErrorPanel error={error} what="the alert" retry={retry} />}
      {alert && (
        <>
          <Box mb={3}>
            <InfoCard title="Alert">
              <AlertDetails alert={alert} />
            </InfoCard>
          </Box>
          <InfoCard
            title="Triggering events"
            subheader="Oldest first. Open a row for its ECS document."
          >
            <EventsTable events={alert.events} />
          </InfoCard>
        </>
      )}
    </OpsPage>
  );
}
