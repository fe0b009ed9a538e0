import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { PointCoverage } from '@internal/plugin-evidence-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { LoadErrorPanel } from '@internal/plugin-ops-react';
import { useCallback } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { evidenceApiRef } from '../api';
import { PointStatusChip } from './common/StateChip';
import { ItemsTable } from './items/ItemsTable';

const SAMPLE = 100;

/** The points this entity's evidence supports, with their coverage now. */
function PointsTouched(props: { entityRef: string }) {
  const api = useApi(evidenceApiRef);
  const state = useAsync(async () => {
    const [items, coverage] = await Promise.all([
      api.listItems({ entityRef: props.entityRef, limit: SAMPLE, offset: 0 }),
      api.getCoverage(),
    ]);
    const byId = new Map<string, PointCoverage>(
      coverage.criteria.flatMap(c => c.points.map(p => [p.id, p])),
    );
    const touched = [...new Set(items.items.flatMap(item => item.points))]
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .map(id => ({ id, coverage: byId.get(id) }));
    return { touched, sampled: items.items.length, total: items.totalCount };
  }, [api, props.entityRef]);

  if (state.error) {
    return <LoadErrorPanel error={state.error} what="the points touched" />;
  }
  if (!state.value) return <Progress />;
  const { touched, sampled, total } = state.value;
  return (
    <InfoCard
      title="Coverage points touched"
      subheader={
        total > sampled
          ? `From the newest ${sampled} of ${total} items about this entity`
          : 'Status is the point’s coverage over all evidence'
      }
    >
      {touched.length === 0 ? (
        <Typography color="textSecondary">
          No evidence about this entity yet, so it touches no point.
        </Typography>
      ) : (
        <Box display="flex" flexWrap="wrap" style={{ gap: 12 }}>
          {touched.map(point => (
            <Box
              key={point.id}
              display="flex"
              alignItems="center"
              style={{ gap: 4 }}
              title={point.coverage?.title}
            >
              <Typography variant="body2">
                <strong>{point.id}</strong>
              </Typography>
              {point.coverage ? (
                <PointStatusChip status={point.coverage.status} />
              ) : (
                <Typography variant="caption" color="textSecondary">
                  not in the criteria
                </Typography>
              )}
            </Box>
          ))}
        </Box>
      )}
    </InfoCard>
  );
}

/** An entity page tab: the evidence about this entity and the points it touches. */
export function EntityEvidenceContent() {
  const api = useApi(evidenceApiRef);
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const load = useCallback(
    (page: { limit: number; offset: number }) =>
      api.listItems({ ...page, entityRef }),
    [api, entityRef],
  );
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <PointsTouched entityRef={entityRef} />
      </Grid>
      <Grid item xs={12}>
        <ItemsTable
          title={`Evidence about ${entity.metadata.name}`}
          load={load}
          filtered={false}
          hideEntity
        />
      </Grid>
    </Grid>
  );
}
