import { Link, Progress, Table } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { drillsLeadPermission } from '@internal/plugin-drills-common';
import type {
  CalendarEntry,
  CalendarEntryStatus,
} from '@internal/plugin-drills-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import EventIcon from '@material-ui/icons/Event';
import PlayIcon from '@material-ui/icons/PlayArrow';
import Alert from '@material-ui/lab/Alert';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import { useCallback, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { drillsApiRef } from '../../api';
import { formatDay, formatMonth, monthIn } from '../common/format';
import { useDrillsPaths } from '../common/paths';
import { OverrideDialog } from './OverrideDialog';
import { OverridesTable } from './OverridesTable';
import { StartRunDialog } from './StartRunDialog';
import { SubscribeDialog } from './SubscribeDialog';

const STATUS_COLORS: Record<
  CalendarEntryStatus,
  'default' | 'primary' | 'secondary'
> = {
  planned: 'primary',
  swapped: 'default',
  rescheduled: 'default',
  skipped: 'secondary',
};

type Dialogs =
  | { kind: 'start'; scenarioId?: string; calendarMonth?: string }
  | { kind: 'override' }
  | { kind: 'subscribe' }
  | undefined;

/** The scenarios to pick from, and a title for any scenario id. */
function useScenarios() {
  const api = useApi(drillsApiRef);
  const runbooks = useAsync(() => api.listRunbooks(), [api]);
  return useMemo(() => {
    const scenarios = (runbooks.value?.runbooks ?? [])
      .filter(runbook => runbook.kind === 'scenario')
      .map(runbook => ({ id: runbook.id, title: runbook.title }));
    const titles = new Map(
      (runbooks.value?.runbooks ?? []).map(runbook => [
        runbook.id,
        runbook.title,
      ]),
    );
    return {
      scenarios,
      error: runbooks.error,
      titleOf: (id: string) => titles.get(id) ?? id,
    };
  }, [runbooks.value, runbooks.error]);
}

/**
 * This month's calendar drill, when it has a run already (an aborted run
 * does not count: the lead may start it again).
 */
function useMonthRun(entry: CalendarEntry | undefined) {
  const api = useApi(drillsApiRef);
  return useAsync(async () => {
    if (!entry) return undefined;
    const runs = await api.listRuns({
      limit: 50,
      offset: 0,
      scenarioId: entry.scenarioId,
    });
    return runs.items.find(
      run => run.calendarMonth === entry.month && run.state !== 'aborted',
    );
  }, [api, entry]);
}

function StatusCell(props: { entry: CalendarEntry }) {
  const { entry } = props;
  return (
    <Box>
      <Chip
        size="small"
        label={entry.status}
        color={STATUS_COLORS[entry.status]}
      />
      {entry.reason && (
        <Typography variant="body2">
          {entry.reason}
          {entry.changedBy && (
            <Typography
              variant="caption"
              color="textSecondary"
              component="span"
            >
              {' '}
              · {entry.changedBy}
            </Typography>
          )}
        </Typography>
      )}
    </Box>
  );
}

/**
 * The drills of the next 12 months, a subscribe link, this month's start
 * button, and the skips and swaps recorded. `now` is the clock deciding the
 * current month (tests give their own).
 */
export function CalendarTab(props: { now?: () => Date }) {
  const now = props.now ?? (() => new Date());
  const api = useApi(drillsApiRef);
  const paths = useDrillsPaths();
  // Leading (start, skip, swap) is for drill leads; the backend checks again.
  const { allowed: canLead } = usePermission({
    permission: drillsLeadPermission,
  });
  const [dialog, setDialog] = useState<Dialogs>();
  const close = useCallback(() => setDialog(undefined), []);
  const scenarios = useScenarios();
  const calendar = useAsyncRetry(() => api.getCalendar(12), [api]);
  const overrides = useAsyncRetry(() => api.listOverrides(), [api]);

  const timezone = calendar.value?.timezone;
  const currentMonth = timezone ? monthIn(timezone, now()) : undefined;
  const current = calendar.value?.entries.find(
    entry => entry.month === currentMonth && entry.status !== 'skipped',
  );
  const monthRun = useMonthRun(current);

  const { retry: retryCalendar } = calendar;
  const { retry: retryOverrides } = overrides;
  const onRecorded = useCallback(() => {
    setDialog(undefined);
    retryCalendar();
    retryOverrides();
  }, [retryCalendar, retryOverrides]);

  const actionOf = (entry: CalendarEntry) => {
    // The table hands its own copies of the rows: compare by month.
    if (entry.month !== current?.month || monthRun.loading) return null;
    if (!monthRun.value && !canLead) return null;
    if (monthRun.value) {
      return (
        <Link to={paths.run(monthRun.value.id)}>Open this month's drill</Link>
      );
    }
    return (
      <Button
        variant="contained"
        color="primary"
        size="small"
        startIcon={<PlayIcon />}
        onClick={() =>
          setDialog({
            kind: 'start',
            scenarioId: entry.scenarioId,
            calendarMonth: entry.month,
          })
        }
      >
        Start this drill
      </Button>
    );
  };

  return (
    <>
      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 8 }}>
        {canLead && (
          <>
            <Button
              variant="outlined"
              color="primary"
              startIcon={<PlayIcon />}
              onClick={() => setDialog({ kind: 'start' })}
            >
              Start a drill
            </Button>
            <Button
              variant="outlined"
              onClick={() => setDialog({ kind: 'override' })}
              disabled={!calendar.value}
            >
              Skip or swap a month
            </Button>
          </>
        )}
        <Button
          variant="outlined"
          startIcon={<EventIcon />}
          onClick={() => setDialog({ kind: 'subscribe' })}
        >
          Subscribe
        </Button>
      </Box>
      {scenarios.error && (
        <Box mb={2}>
          <Alert severity="warning">
            Could not load the runbooks ({scenarios.error.message}): scenarios
            show by id and none can be picked.
          </Alert>
        </Box>
      )}

      {calendar.loading && <Progress />}
      {calendar.error && (
        <LoadErrorPanel
          error={calendar.error}
          what="the calendar"
          retry={calendar.retry}
        />
      )}
      {calendar.value && (
        <Table<CalendarEntry>
          title="The next 12 months"
          subtitle={`First Tuesday of each month, times in ${calendar.value.timezone}`}
          columns={[
            {
              title: 'Month',
              field: 'month',
              render: entry => formatMonth(entry.month),
            },
            {
              title: 'When',
              field: 'localDate',
              render: entry => (
                <>
                  {formatDay(entry.localDate)}, {entry.localTime}{' '}
                  <Typography variant="caption" color="textSecondary">
                    {entry.timezone}
                  </Typography>
                  {entry.originalLocalDate && (
                    <Typography variant="caption" display="block">
                      moved from {formatDay(entry.originalLocalDate)}
                    </Typography>
                  )}
                </>
              ),
            },
            {
              title: 'Scenario',
              field: 'scenarioId',
              render: entry => (
                <>
                  <Link to={paths.runbook(entry.scenarioId)}>
                    {scenarios.titleOf(entry.scenarioId)}
                  </Link>
                  {entry.originalScenarioId && (
                    <Typography variant="caption" display="block">
                      instead of {scenarios.titleOf(entry.originalScenarioId)}
                    </Typography>
                  )}
                </>
              ),
            },
            {
              title: 'Status',
              field: 'status',
              render: entry => <StatusCell entry={entry} />,
            },
            { title: '', render: actionOf },
          ]}
          data={calendar.value.entries}
          options={{ paging: false, search: false, padding: 'dense' }}
          emptyContent={
            <Box p={2}>
              No drills planned: the calendar has no scenarios to rotate
              through.
            </Box>
          }
        />
      )}

      <Box mt={3}>
        {overrides.error ? (
          <LoadErrorPanel
            error={overrides.error}
            what="the skips and swaps"
            retry={overrides.retry}
          />
        ) : (
          overrides.value && (
            <OverridesTable
              overrides={overrides.value.items}
              titleOf={scenarios.titleOf}
            />
          )
        )}
      </Box>

      {dialog?.kind === 'start' && (
        <StartRunDialog
          scenarios={scenarios.scenarios}
          scenarioId={dialog.scenarioId}
          calendarMonth={dialog.calendarMonth}
          onClose={close}
        />
      )}
      {dialog?.kind === 'override' && (
        <OverrideDialog
          months={(calendar.value?.entries ?? []).map(entry => entry.month)}
          scenarios={scenarios.scenarios}
          onClose={close}
          onRecorded={onRecorded}
        />
      )}
      {dialog?.kind === 'subscribe' && <SubscribeDialog onClose={close} />}
    </>
  );
}
