import { parseEntityRef } from '@backstage/catalog-model';
import { EmptyState, InfoCard } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { PERSONAL_DATA_STORES_ANNOTATION } from '@internal/plugin-privacy-common';

/** The personal-data stores a catalog entity declares. */
export function EntityPrivacyContent() {
  const { entity } = useEntity();
  const declared =
    entity.metadata.annotations?.[PERSONAL_DATA_STORES_ANNOTATION];
  const stores = (declared ?? '')
    .split(',')
    .map(ref => ref.trim())
    .filter(Boolean);
  const toRef = (ref: string) => {
    try {
      return parseEntityRef(ref, { defaultKind: 'resource' });
    } catch {
      return undefined; // a typo in the annotation: shown as written
    }
  };

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
      subheader="Every DSAR export and erasure for this service runs against these"
    >
      <List dense>
        {stores.map(ref => (
          <ListItem key={ref}>
            {toRef(ref) ? (
              <EntityRefLink entityRef={toRef(ref)!} />
            ) : (
              <Typography color="error">
                {ref} (not a valid entity ref)
              </Typography>
            )}
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}
