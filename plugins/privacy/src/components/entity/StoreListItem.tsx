import type { CompoundEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import type { StoreLookup } from '../../hooks/useStoreEntities';

export const REGION_ANNOTATION = 'ops.portal/region';
export const CONNECTOR_ANNOTATION = 'privacy.ops.portal/connector';

function describe(lookup: StoreLookup | undefined, loading: boolean): string {
  if (!lookup) return loading ? 'Looking up in the catalog…' : '';
  if (lookup.status === 'missing') return 'not in the catalog';
  if (lookup.status === 'error') {
    return `could not look up: ${lookup.error.message}`;
  }
  const annotations = lookup.entity.metadata.annotations ?? {};
  return `Region: ${
    annotations[REGION_ANNOTATION] ?? 'not declared'
  } · Connector: ${annotations[CONNECTOR_ANNOTATION] ?? 'not declared'}`;
}

/** One declared store: its link, region and connector from the catalog. */
export function StoreListItem(props: {
  entityRef: CompoundEntityRef;
  lookup?: StoreLookup;
  loading: boolean;
}) {
  const missing = props.lookup && props.lookup.status !== 'found';
  return (
    <ListItem>
      <ListItemText
        primary={<EntityRefLink entityRef={props.entityRef} />}
        secondary={describe(props.lookup, props.loading)}
        secondaryTypographyProps={missing ? { color: 'error' } : undefined}
      />
    </ListItem>
  );
}
