import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  ENTITY_OBJECTIVE_LIMIT,
  useEntityObjectives,
} from '../hooks/useEntityObjectives';
import { useObjectiveLink } from '../hooks/useObjectiveLink';
import { EntityObjectiveCard } from './entity/EntityObjectiveCard';
import { NoObjectivesYet } from './overview/ObjectivesTable';

/** The objectives of the entity whose page this is, with their numbers and burn charts. */
export function EntitySloContent() {
  const { value, loading, error, entity, entityRef } = useEntityObjectives();
  const linkTo = useObjectiveLink();
  if (error) {
    return (
      <ResponseErrorPanel error={error} title="Could not load the objectives" />
    );
  }
  if (loading || !value) return <Progress />;
  if (value.items.length === 0) return <NoObjectivesYet />;
  return (
    <Grid container spacing={3}>
      {value.items.map(objective => (
        <Grid item xs={12} key={objective.id}>
          <EntityObjectiveCard
            objective={objective}
            entity={entity}
            entityRef={entityRef}
            link={linkTo?.(objective.id)}
          />
        </Grid>
      ))}
      {value.totalCount > ENTITY_OBJECTIVE_LIMIT && (
        <Grid item xs={12}>
          <Typography variant="caption">
            Showing {ENTITY_OBJECTIVE_LIMIT} of {value.totalCount} objectives.
          </Typography>
        </Grid>
      )}
    </Grid>
  );
}
