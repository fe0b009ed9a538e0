import {
  EmptyState,
  Link,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { RunbookSummary } from '@internal/plugin-drills-common';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { drillsApiRef } from '../../api';
import { useDrillsPaths } from '../common/paths';
import { RunbookProblems } from './RunbookProblems';

/** The runbooks the plugin read, with what is wrong in any of them on top. */
export function RunbooksTab() {
  const api = useApi(drillsApiRef);
  const paths = useDrillsPaths();
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listRunbooks(),
    [api],
  );
  if (error)
    return <LoadErrorPanel error={error} what="runbooks" retry={retry} />;

  const columns: TableColumn<RunbookSummary>[] = [
    {
      title: 'Title',
      field: 'title',
      render: runbook => (
        <Link to={paths.runbook(runbook.id)}>{runbook.title}</Link>
      ),
    },
    { title: 'Kind', field: 'kind' },
    {
      title: 'Severity',
      field: 'severity',
      render: runbook => runbook.severity ?? '—',
    },
    {
      title: 'Services',
      field: 'services',
      render: runbook => runbook.services.join(', ') || '—',
    },
    { title: 'Owner', field: 'owner' },
    { title: 'Steps', field: 'stepCount', type: 'numeric' },
    {
      title: 'Checkpoints',
      field: 'checkpoints',
      type: 'numeric',
      render: runbook => runbook.checkpoints.length,
    },
  ];

  return (
    <>
      {value && <RunbookProblems problems={value.problems} />}
      <Table<RunbookSummary>
        title="Runbooks"
        columns={columns}
        data={value?.runbooks ?? []}
        isLoading={loading}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={
          loading ? undefined : (
            <EmptyState
              missing="data"
              title="No runbooks loaded"
              description="Runbooks are markdown files in the repository's runbooks/ folder; none could be read."
            />
          )
        }
      />
    </>
  );
}
