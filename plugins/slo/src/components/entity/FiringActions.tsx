import type { Entity } from '@backstage/catalog-model';
import { LinkButton } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import { RUNBOOK_ANNOTATION, rollbackUrl } from '../../lib/format';

/**
 * What to do about a firing alert: the service's runbook (when its entity
 * has an `ops.portal/runbook` annotation) and the rollback template with the
 * service filled in.
 */
export function FiringActions(props: { entity: Entity; entityRef: string }) {
  const runbook = props.entity.metadata.annotations?.[RUNBOOK_ANNOTATION];
  return (
    <Box display="flex" style={{ gap: 8 }} mt={1}>
      {runbook && (
        <LinkButton size="small" variant="outlined" to={runbook}>
          Runbook
        </LinkButton>
      )}
      <LinkButton
        size="small"
        variant="contained"
        color="secondary"
        to={rollbackUrl(props.entityRef)}
      >
        Roll back
      </LinkButton>
    </Box>
  );
}
