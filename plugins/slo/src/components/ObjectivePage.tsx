import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { OpsPage, describeError } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useParams } from 'react-router-dom';
import { useObjective } from '../hooks/useObjective';
import { rootRouteRef } from '../routes';
import { AlertHistory } from './objective/AlertHistory';
import { ObjectiveCharts } from './objective/ObjectiveCharts';
import { ObjectiveHeader } from './objective/ObjectiveHeader';
import { RulesCard } from './objective/RulesCard';
import { SourceCard } from './objective/SourceCard';

/** One objective: its numbers, history charts, alerts, generated rules and source. */
export function ObjectivePage() {
  const ref = useParams().ref ?? '';
  const root = useRouteRef(rootRouteRef)();
  const { value: objective, error } = useObjective(ref);

  let content;
  if (error && describeError(error).status === 404) {
    content = (
      <EmptyState
        missing="data"
        title="No such objective"
        description={`There is no objective ${ref}.`}
      />
    );
  } else if (error) {
    content = (
      <ResponseErrorPanel error={error} title="Could not load the objective" />
    );
  } else if (!objective) {
    content = <Progress />;
  } else {
    const fileName = objective.name.replace(/[^\w.-]+/g, '-');
    content = (
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <ObjectiveHeader objective={objective} />
        </Grid>
        <Grid item xs={12}>
          <ObjectiveCharts objectiveRef={objective.id} />
        </Grid>
        <Grid item xs={12}>
          <AlertHistory objectiveRef={objective.id} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <RulesCard objectiveRef={objective.id} name={fileName} />
        </Grid>
        <Grid item xs={12} lg={6}>
          <SourceCard objectiveRef={objective.id} name={fileName} />
        </Grid>
      </Grid>
    );
  }

  return (
    <OpsPage
      title={objective ? objective.displayName || objective.name : 'Objective'}
      subtitle={
        objective ? `${objective.service} · ${objective.windowLabel}` : ref
      }
    >
      <Box mb={2}>
        <Link to={root}>← All objectives</Link>
      </Box>
      {content}
    </OpsPage>
  );
}
