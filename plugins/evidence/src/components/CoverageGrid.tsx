import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { evidenceApiRef } from '../api';

/** CC1-CC9 with the evidence each has, as counted by the backend. */
export function CoverageGrid() {
  const evidenceApi = useApi(evidenceApiRef);
  const { value, loading, error } = useAsync(
    () => evidenceApi.getCoverage(),
    [evidenceApi],
  );

  if (loading) return <Progress />;
  if (error)
    return <ResponseErrorPanel error={error} title="Could not load coverage" />;

  return (
    <Grid container spacing={2}>
      {value!.criteria.map(criterion => (
        <Grid item xs={12} sm={6} md={4} key={criterion.id}>
          <InfoCard title={`${criterion.id} · ${criterion.title}`}>
            <Typography variant="h4">{criterion.itemCount}</Typography>
            <Typography variant="body2" color="textSecondary">
              {criterion.lastCollectedAt
                ? `evidence items, newest ${new Date(
                    criterion.lastCollectedAt,
                  ).toLocaleDateString()}`
                : 'no evidence collected yet'}
            </Typography>
          </InfoCard>
        </Grid>
      ))}
    </Grid>
  );
}
