import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sloApiRef } from '../api';

/** How many objectives an entity page lists; more are on the SLO page. */
export const ENTITY_OBJECTIVE_LIMIT = 50;

/** The objectives of the entity whose page this is. */
export function useEntityObjectives() {
  const { entity } = useEntity();
  const sloApi = useApi(sloApiRef);
  const entityRef = stringifyEntityRef(entity);
  const state = useAsyncRetry(
    () =>
      sloApi.listObjectives({
        limit: ENTITY_OBJECTIVE_LIMIT,
        offset: 0,
        entityRef,
      }),
    [sloApi, entityRef],
  );
  return { ...state, entity, entityRef };
}
