import { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { PagedTable } from '@internal/plugin-ops-react';
import type { SloAlert } from '@internal/plugin-slo-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useCallback, useMemo, useState } from 'react';
import { sloApiRef } from '../../api';
import { formatTime } from '../../lib/format';
import { AlertAction, AlertActionDialog } from './AlertActionDialog';
import { AlertLinks } from './AlertLinks';

function Handling(props: { alert: SloAlert }) {
  const { acknowledged, silenced } = props.alert;
  if (!acknowledged && !silenced) return <>–</>;
  return (
    <Box>
      {acknowledged && (
        <Typography variant="body2">
          Acknowledged by {acknowledged.by}: {acknowledged.reason}
        </Typography>
      )}
      {silenced && (
        <Typography variant="body2">
          Silenced by {silenced.by} until {formatTime(silenced.until)}:{' '}
          {silenced.reason}
        </Typography>
      )}
    </Box>
  );
}

/** Every firing episode of the objective's alerts, newest first, with acknowledge and silence. */
export function AlertHistory(props: { objectiveRef: string }) {
  const sloApi = useApi(sloApiRef);
  const [version, setVersion] = useState(0);
  const [pending, setPending] = useState<{
    alert: SloAlert;
    action: AlertAction;
  }>();
  const [lastAction, setLastAction] = useState<AlertAction>('acknowledge');

  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      sloApi.listAlerts({ ...page, objectiveRef: props.objectiveRef }),
    // version: a new loader after an action fetches the table again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [sloApi, props.objectiveRef, version],
  );

  const open = (alert: SloAlert, action: AlertAction) => {
    setLastAction(action);
    setPending({ alert, action });
  };

  const columns = useMemo<TableColumn<SloAlert>[]>(
    () => [
      {
        title: 'State',
        render: row => (
          <Chip
            size="small"
            label={row.state}
            color={row.state === 'firing' ? 'secondary' : 'default'}
          />
        ),
      },
      { title: 'Tier', render: row => `${row.tier} (${row.severity})` },
      { title: 'Fired', render: row => formatTime(row.firedAt) },
      { title: 'Resolved', render: row => formatTime(row.resolvedAt) },
      {
        title: 'Acknowledged / silenced',
        render: row => <Handling alert={row} />,
      },
      { title: 'Links', render: row => <AlertLinks links={row.links} /> },
      {
        title: 'Actions',
        render: row =>
          row.state === 'firing' ? (
            <Box display="flex" style={{ gap: 8 }}>
              <Button
                size="small"
                variant="outlined"
                disabled={Boolean(row.acknowledged)}
                onClick={() => open(row, 'acknowledge')}
              >
                Acknowledge
              </Button>
              <Button
                size="small"
                variant="outlined"
                onClick={() => open(row, 'silence')}
              >
                Silence
              </Button>
            </Box>
          ) : null,
      },
    ],
    [],
  );

  return (
    <>
      <PagedTable
        title="Alert history"
        columns={columns}
        load={load}
        initialPageSize={10}
        emptyContent={
          <Typography variant="body2" align="center">
            No alert has fired for this objective.
          </Typography>
        }
      />
      <AlertActionDialog
        alert={pending?.alert}
        action={pending?.action ?? lastAction}
        onClose={() => setPending(undefined)}
        onDone={() => {
          setPending(undefined);
          setVersion(v => v + 1);
        }}
      />
    </>
  );
}
