import { useApi } from '@backstage/core-plugin-api';
import { useCallback } from 'react';
import { privacyApiRef } from '../api';
import type { FilterQuery } from './useRequestFilters';

/**
 * The paged loader of the queue table. A new query gives a new loader,
 * which makes the table fetch again from the first page.
 */
export function useRequestQueue(query: FilterQuery) {
  const privacyApi = useApi(privacyApiRef);
  return useCallback(
    (page: { limit: number; offset: number }) =>
      privacyApi.listRequests({ ...page, ...query }),
    [privacyApi, query],
  );
}
