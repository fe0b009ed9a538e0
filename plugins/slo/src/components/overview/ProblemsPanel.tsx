import { Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { SloObjectiveProblem } from '@internal/plugin-slo-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { sloApiRef } from '../../api';

const columns: TableColumn<SloObjectiveProblem>[] = [
  { title: 'File', field: 'file' },
  { title: 'Line', field: 'line' },
  { title: 'Field', field: 'path' },
  { title: 'Problem', field: 'message' },
  { title: 'Entity', render: row => row.entityRef ?? '–' },
];

const LIMIT = 50;

/**
 * Objective files the engine could not read, with where and why. Hidden
 * when there are none; a load error is shown, not hidden.
 */
export function ProblemsPanel() {
  const sloApi = useApi(sloApiRef);
  const { value, error } = useAsync(
    () => sloApi.listProblems({ limit: LIMIT, offset: 0 }),
    [sloApi],
  );
  if (error) {
    return (
      <Alert severity="warning">
        Could not load the objective file problems: {error.message}
      </Alert>
    );
  }
  if (!value || value.totalCount === 0) return null;
  return (
    <>
      <Table<SloObjectiveProblem>
        title={`Problems (${value.totalCount})`}
        subtitle="Objective files that could not be read; their objectives are not evaluated"
        columns={columns}
        data={value.items}
        options={{ paging: false, search: false, padding: 'dense' }}
      />
      {value.totalCount > value.items.length && (
        <Typography variant="caption">
          Showing the first {value.items.length} of {value.totalCount}.
        </Typography>
      )}
    </>
  );
}
