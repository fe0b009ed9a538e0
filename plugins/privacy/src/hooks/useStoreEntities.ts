import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';

export type StoreLookup =
  | { status: 'found'; entity: Entity }
  | { status: 'missing' }
  | { status: 'error'; error: Error };

/** The catalog Resources behind declared stores, keyed by their entity ref. */
export function useStoreEntities(refs: CompoundEntityRef[]) {
  const catalogApi = useApi(catalogApiRef);
  const key = refs.map(ref => stringifyEntityRef(ref)).join(',');
  return useAsync(async () => {
    const lookups = await Promise.all(
      refs.map(async (ref): Promise<[string, StoreLookup]> => {
        const name = stringifyEntityRef(ref);
        try {
          const entity = await catalogApi.getEntityByRef(ref);
          return [
            name,
            entity ? { status: 'found', entity } : { status: 'missing' },
          ];
        } catch (error) {
          return [name, { status: 'error', error: error as Error }];
        }
      }),
    );
    return new Map(lookups);
    // The refs are parsed on every render; their string form is the identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
}
