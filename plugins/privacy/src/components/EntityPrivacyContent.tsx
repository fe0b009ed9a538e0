import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { EmptyState, InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { PERSONAL_DATA_STORES_ANNOTATION } from '@internal/plugin-privacy-common';
import { useStoreEntities } from '../hooks/useStoreEntities';
import {
  CONNECTOR_ANNOTATION,
  REGION_ANNOTATION,
  StoreListItem,
} from './entity/StoreListItem';

type DeclaredStore =
  | { text: string; ref: CompoundEntityRef }
  | { text: string; ref?: undefined };

function parseStores(declared: string | undefined): DeclaredStore[] {
  return (declared ?? '')
    .split(',')
    .map(text => text.trim())
    .filter(Boolean)
    .map(text => {
      try {
        return { text, ref: parseEntityRef(text, { defaultKind: 'resource' }) };
      } catch {
        return { text }; // a typo in the annotation: shown as written
      }
    });
}

/** The personal-data stores a catalog entity declares, with their region and connector. */
export function EntityPrivacyContent() {
  const { entity } = useEntity();
  const stores = parseStores(
    entity.metadata.annotations?.[PERSONAL_DATA_STORES_ANNOTATION],
  );
  const refs = stores.flatMap(store => (store.ref ? [store.ref] : []));
  const lookups = useStoreEntities(refs);

  if (stores.length === 0) {
    return (
      <EmptyState
        missing="field"
        title="No personal-data stores declared"
        description={`This entity holds no personal data, as far as the catalog knows. Declare stores with the ${PERSONAL_DATA_STORES_ANNOTATION} annotation.`}
      />
    );
  }
  return (
    <InfoCard
      title="Personal-data stores"
      subheader={`Every DSAR export and erasure for this service runs against these. Region and connector come from the ${REGION_ANNOTATION} and ${CONNECTOR_ANNOTATION} annotations of each Resource.`}
    >
      <List dense>
        {stores.map(store =>
          store.ref ? (
            <StoreListItem
              key={store.text}
              entityRef={store.ref}
              lookup={lookups.value?.get(stringifyEntityRef(store.ref))}
              loading={lookups.loading}
            />
          ) : (
            <ListItem key={store.text}>
              <Typography color="error">
                {store.text} (not a valid entity ref)
              </Typography>
            </ListItem>
          ),
        )}
      </List>
      {lookups.error && (
        <Typography color="error">
          Could not look up the stores: {lookups.error.message}
        </Typography>
      )}
    </InfoCard>
  );
}
