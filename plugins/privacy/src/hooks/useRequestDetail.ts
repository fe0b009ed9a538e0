import { useApi } from '@backstage/core-plugin-api';
import { useCallback } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { privacyApiRef } from '../api';

/** One request with its sources and export, and its audit trail. */
export function useRequestDetail(id: string) {
  const privacyApi = useApi(privacyApiRef);
  const detail = useAsyncRetry(
    () => privacyApi.getStatus(id),
    [privacyApi, id],
  );
  const audit = useAsyncRetry(
    async () => (await privacyApi.getAudit(id)).events,
    [privacyApi, id],
  );
  const { retry: retryDetail } = detail;
  const { retry: retryAudit } = audit;
  const refresh = useCallback(() => {
    retryDetail();
    retryAudit();
  }, [retryDetail, retryAudit]);
  return { detail, audit, refresh };
}
