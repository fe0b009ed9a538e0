import { EmptyState, Link, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { PagedTable, formatDateTime } from '@internal/plugin-ops-react';
import type { SecurityAlertSummary } from '@internal/plugin-security-common';
import Box from '@material-ui/core/Box';
import { useCallback, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { securityApiRef } from '../../api';
import { formatCount } from '../common/format';
import { NotificationState, SeverityChip, StatusChip } from '../common/chips';
import { useSecurityPaths } from '../common/paths';
import { AlertFilters, AlertFilterValues, NO_FILTERS } from './AlertFilters';
import { AlertsSummaryCard } from './AlertsSummaryCard';

/** Only the filters that are set, as `GET /alerts` takes them. */
function queryOf(filters: AlertFilterValues) {
  return {
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.severity ? { severity: filters.severity } : {}),
    ...(filters.ruleId ? { ruleId: filters.ruleId } : {}),
  };
}

/** What an empty list means: nothing matched the filters, or nothing fired yet. */
function emptyTitle(filters: AlertFilterValues, events: number | undefined) {
  if (filters.status || filters.severity || filters.ruleId) {
    return 'No alerts match these filters';
  }
  return events === undefined
    ? 'No alerts'
    : `No alerts — the rules are watching ${formatCount(events)} events so far`;
}

/** The alert summary, then every alert, newest first, filtered and paged on the server. */
export function AlertsTab() {
  const api = useApi(securityApiRef);
  const paths = useSecurityPaths();
  const [filters, setFilters] = useState<AlertFilterValues>(NO_FILTERS);
  const rules = useAsync(() => api.listRules(), [api]);
  const pipeline = useAsync(() => api.getPipeline(), [api]);

  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      api.listAlerts({ ...page, ...queryOf(filters) }),
    [api, filters],
  );

  const columns = useMemo<TableColumn<SecurityAlertSummary>[]>(
    () => [
      {
        title: 'Alert',
        field: 'title',
        render: alert => <Link to={paths.alert(alert.id)}>{alert.title}</Link>,
      },
      {
        title: 'Severity',
        field: 'severity',
        render: alert => <SeverityChip severity={alert.severity} />,
      },
      {
        title: 'Status',
        field: 'status',
        render: alert => <StatusChip status={alert.status} />,
      },
      {
        title: 'Group',
        field: 'groupKey',
        render: alert => (
          <span title={alert.groupBy}>
            {alert.groupBy}: {alert.groupKey}
          </span>
        ),
      },
      { title: 'Events', field: 'count', type: 'numeric' },
      {
        title: 'Window',
        field: 'firstAt',
        render: alert =>
          `${formatDateTime(alert.firstAt)} – ${formatDateTime(alert.lastAt)}`,
      },
      {
        title: 'Raised',
        field: 'raisedAt',
        render: alert => formatDateTime(alert.raisedAt),
      },
      {
        title: 'Notification',
        field: 'notification',
        render: alert => <NotificationState state={alert.notification} />,
      },
    ],
    [paths],
  );

  return (
    <>
      <Box mb={3}>
        <AlertsSummaryCard />
      </Box>
      <AlertFilters
        value={filters}
        onChange={setFilters}
        rules={rules.value?.rules ?? []}
        rulesError={Boolean(rules.error)}
      />
      <PagedTable<SecurityAlertSummary>
        title="Alerts"
        columns={columns}
        load={load}
        emptyContent={
          <EmptyState
            missing="data"
            title={emptyTitle(filters, pipeline.value?.events)}
            description="An alert is raised when a rule sees its threshold of matching events within its window. The Rules tab shows what each rule counts."
          />
        }
      />
    </>
  );
}
