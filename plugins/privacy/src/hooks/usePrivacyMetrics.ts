import { useApi } from '@backstage/core-plugin-api';
import { useCallback } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { privacyApiRef } from '../api';

/** The SLA report and queue counts behind the cards of the queue page. */
export function usePrivacyMetrics() {
  const privacyApi = useApi(privacyApiRef);
  const sla = useAsyncRetry(() => privacyApi.getSlaReport(), [privacyApi]);
  const queue = useAsyncRetry(() => privacyApi.getQueueMetrics(), [privacyApi]);
  const { retry: retrySla } = sla;
  const { retry: retryQueue } = queue;
  const refresh = useCallback(() => {
    retrySla();
    retryQueue();
  }, [retrySla, retryQueue]);
  return { sla, queue, refresh };
}
