import { Table } from '@backstage/core-components';
import type { CalendarOverride } from '@internal/plugin-drills-common';
import { formatDateTime } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import { formatDay, formatMonth } from '../common/format';

/** The recorded skips, swaps and moves, newest first as the backend lists them. */
export function OverridesTable(props: {
  overrides: CalendarOverride[];
  titleOf: (scenarioId: string) => string;
}) {
  const { titleOf } = props;
  return (
    <Table<CalendarOverride>
      title="Skips, swaps and moves"
      columns={[
        {
          title: 'Month',
          field: 'month',
          render: override => formatMonth(override.month),
        },
        { title: 'Change', field: 'kind' },
        {
          title: 'To',
          render: override => {
            if (override.kind === 'swap' && override.scenarioId) {
              return titleOf(override.scenarioId);
            }
            if (override.kind === 'reschedule' && override.date) {
              return formatDay(override.date);
            }
            return '—';
          },
        },
        { title: 'Reason', field: 'reason' },
        { title: 'Recorded by', field: 'recordedBy' },
        {
          title: 'Recorded',
          field: 'recordedAt',
          render: override => formatDateTime(override.recordedAt),
        },
      ]}
      data={props.overrides}
      options={{ paging: false, search: false, padding: 'dense' }}
      emptyContent={
        <Box p={2}>
          No skips or swaps recorded: every month follows the rotation.
        </Box>
      }
    />
  );
}
