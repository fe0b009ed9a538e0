import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import type { SloObjectiveSummary } from '@internal/plugin-slo-common';

/** The objective's service: a link to its catalog entity when it has one. */
export function ServiceLink(props: { objective: SloObjectiveSummary }) {
  const { objective } = props;
  if (!objective.entityRef) {
    return <Typography variant="body2">{objective.service}</Typography>;
  }
  return (
    <EntityRefLink entityRef={objective.entityRef} defaultKind="component" />
  );
}
