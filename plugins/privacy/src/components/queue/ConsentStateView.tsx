import {
  StatusError,
  StatusOK,
  StatusPending,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  type ConsentState,
} from '@internal/plugin-privacy-common';
import Typography from '@material-ui/core/Typography';
import { formatDateTime } from '../../lib/format';

type HistoryRow = ConsentState['history'][number];

function Granted(props: { granted?: boolean }) {
  if (props.granted === undefined) {
    return <StatusPending>no record</StatusPending>;
  }
  return props.granted ? (
    <StatusOK>granted</StatusOK>
  ) : (
    <StatusError>withdrawn</StatusError>
  );
}

const currentColumns: TableColumn<{
  purpose: ConsentPurpose;
  entry?: { granted: boolean; at: string; source: string };
}>[] = [
  { title: 'Purpose', field: 'purpose' },
  { title: 'Consent', render: row => <Granted granted={row.entry?.granted} /> },
  { title: 'Since', render: row => formatDateTime(row.entry?.at) },
  { title: 'Source', render: row => row.entry?.source ?? '—' },
];

const historyColumns: TableColumn<HistoryRow>[] = [
  { title: 'At', render: row => formatDateTime(row.at) },
  { title: 'Purpose', field: 'purpose' },
  { title: 'Consent', render: row => <Granted granted={row.granted} /> },
  { title: 'Source', field: 'source' },
  { title: 'Actor', field: 'actor' },
];

/** One subject's consent: a row per purpose, then every change, newest first. */
export function ConsentStateView(props: { consent: ConsentState }) {
  const { consent } = props;
  const current = CONSENT_PURPOSES.map(purpose => ({
    purpose,
    entry: consent.current[purpose],
  }));
  const history = [...consent.history].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <>
      <Table
        title={`Consent of ${consent.subjectId}`}
        columns={currentColumns}
        data={current}
        options={{
          paging: false,
          search: false,
          padding: 'dense',
          sorting: false,
        }}
      />
      {history.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No consent change recorded for this subject.
        </Typography>
      ) : (
        <Table
          title="History"
          columns={historyColumns}
          data={history}
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            sorting: false,
          }}
        />
      )}
    </>
  );
}
