import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sloApiRef } from '../api';
import { RangeKey, rangeQuery } from '../lib/ranges';

/** One objective with its latest evaluation. */
export function useObjective(ref: string) {
  const sloApi = useApi(sloApiRef);
  return useAsyncRetry(() => sloApi.getObjective(ref), [sloApi, ref]);
}

/** The objective's series over a range ending now, downsampled by the server. */
export function useSeries(ref: string, range: RangeKey) {
  const sloApi = useApi(sloApiRef);
  return useAsyncRetry(
    () => sloApi.getSeries(ref, rangeQuery(range)),
    [sloApi, ref, range],
  );
}
