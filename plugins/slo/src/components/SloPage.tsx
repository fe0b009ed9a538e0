import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import { Link as RouterLink } from 'react-router-dom';
import Alert from '@material-ui/lab/Alert';
import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { sloApiRef } from '../api';
import { useObjectiveFilters } from '../hooks/useObjectiveFilters';
import { demoSinkRouteRef } from '../routes';
import { ObjectiveFilters } from './overview/ObjectiveFilters';
import { ObjectivesTable } from './overview/ObjectivesTable';
import { ProblemsPanel } from './overview/ProblemsPanel';

/** Every objective with its numbers now, filtered and paged on the server, and the files that could not be read. */
export function SloPage() {
  const sloApi = useApi(sloApiRef);
  const demoSinkPath = useRouteRef(demoSinkRouteRef)();
  const { filters, setFilter, query } = useObjectiveFilters();
  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      sloApi.listObjectives({ ...page, ...query }),
    [sloApi, query],
  );
  const settings = useAsync(() => sloApi.getSettings(), [sloApi]);
  const demo = settings.value?.demo === true;
  const filtered = Object.keys(query).some(
    key => key !== 'sort' && key !== 'order',
  );
  return (
    <OpsPage
      title="Service level objectives"
      subtitle="Objectives, error budgets and burn-rate alerts of every service"
      actions={
        demo && (
          <Button variant="outlined" component={RouterLink} to={demoSinkPath}>
            Demo sink
          </Button>
        )
      }
    >
      <Grid container spacing={3}>
        {demo && (
          <Grid item xs={12}>
            <Alert severity="info">
              Demo mode: the traffic of these objectives is generated (one
              healthy, slowly burning, fast burning and exhausted service each),
              and notifications are recorded in the demo sink instead of being
              sent.
            </Alert>
          </Grid>
        )}
        <Grid item xs={12}>
          <Box mb={2}>
            <ObjectiveFilters filters={filters} onChange={setFilter} />
          </Box>
          <ObjectivesTable load={load} filtered={filtered} />
        </Grid>
        <Grid item xs={12}>
          <ProblemsPanel />
        </Grid>
      </Grid>
    </OpsPage>
  );
}
