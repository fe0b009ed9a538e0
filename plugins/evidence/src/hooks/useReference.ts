import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { evidenceApiRef } from '../api';

/** The criteria and their points, as the backend has them (CC1..CC9 and configured extras). */
export function useCriteria() {
  const api = useApi(evidenceApiRef);
  return useAsync(() => api.getCriteria(), [api]);
}

/** The installed collectors with their last run. */
export function useCollectors() {
  const api = useApi(evidenceApiRef);
  return useAsync(() => api.listCollectors(), [api]);
}
