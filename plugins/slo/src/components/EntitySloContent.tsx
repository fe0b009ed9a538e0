import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ObjectivesTable } from './ObjectivesTable';

/** The objectives of the entity whose page this is. */
export function EntitySloContent() {
  const { entity } = useEntity();
  return <ObjectivesTable entityRef={stringifyEntityRef(entity)} />;
}
