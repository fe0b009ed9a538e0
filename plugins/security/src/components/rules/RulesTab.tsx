import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import type { SecurityRuleInfo } from '@internal/plugin-security-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { securityApiRef } from '../../api';
import { SeverityChip } from '../common/chips';
import { formatCount, formatWindow } from '../common/format';
import { PipelineCard } from './PipelineCard';

const columns: TableColumn<SecurityRuleInfo>[] = [
  {
    title: 'Rule',
    field: 'title',
    render: rule => (
      <>
        <Typography variant="body2">{rule.title}</Typography>
        <Typography variant="caption" color="textSecondary">
          {rule.id}
        </Typography>
      </>
    ),
  },
  {
    title: 'Severity',
    field: 'severity',
    render: rule => <SeverityChip severity={rule.severity} />,
  },
  {
    title: 'Fires at',
    field: 'threshold',
    render: rule =>
      `${formatCount(rule.threshold)} events in ${formatWindow(
        rule.windowSeconds,
      )}`,
  },
  {
    title: 'Grouped by',
    field: 'groupBy',
    render: rule => rule.groupBy.join(', '),
  },
  {
    title: 'Time of day',
    field: 'timeOfDay',
    render: rule =>
      rule.timeOfDay
        ? `${rule.timeOfDay.from}–${rule.timeOfDay.to} ${rule.timeOfDay.timezone}`
        : 'Any time',
  },
  {
    title: 'Matched',
    field: 'stats.matched',
    type: 'numeric',
    render: rule => formatCount(rule.stats.matched),
  },
  {
    title: 'Alerts',
    field: 'stats.alerts',
    type: 'numeric',
    render: rule => formatCount(rule.stats.alerts),
  },
  {
    title: 'Groups tracked',
    field: 'stats.keys',
    type: 'numeric',
    render: rule => formatCount(rule.stats.keys),
  },
  {
    title: 'Suppressed',
    field: 'stats.suppressed',
    type: 'numeric',
    render: rule => formatCount(rule.stats.suppressed),
  },
  {
    title: 'Evicted',
    field: 'stats.evicted',
    type: 'numeric',
    render: rule => formatCount(rule.stats.evicted),
  },
];

function RulesTable() {
  const api = useApi(securityApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listRules(),
    [api],
  );
  if (loading) return <Progress />;
  if (error) {
    return <LoadErrorPanel error={error} what="the rules" retry={retry} />;
  }
  return (
    <Table<SecurityRuleInfo>
      title="Rules"
      subtitle="Counters since the backend started. Matched: events the rule matched; groups tracked: the groups it is counting now; suppressed: matching events inside a window that already alerted for their group (one alert per group per window); evicted: groups dropped, with their partial windows, because the rule tracked as many as it may."
      columns={columns}
      data={value?.rules ?? []}
      options={{ paging: false, search: false, padding: 'dense' }}
      emptyContent={
        <Box p={2}>
          <Typography>No rules are configured.</Typography>
        </Box>
      }
    />
  );
}

function Pipeline() {
  const api = useApi(securityApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getPipeline(),
    [api],
  );
  if (loading) {
    return (
      <InfoCard title="Pipeline">
        <Progress />
      </InfoCard>
    );
  }
  if (error || !value) {
    return (
      <LoadErrorPanel
        error={error ?? new Error('No answer')}
        what="the pipeline counters"
        retry={retry}
      />
    );
  }
  return <PipelineCard pipeline={value} />;
}

/** The rules with their live counters, and the pipeline that feeds them. */
export function RulesTab() {
  return (
    <>
      <Box mb={3}>
        <RulesTable />
      </Box>
      <Pipeline />
    </>
  );
}
