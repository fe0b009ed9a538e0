import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { useCallback, useState } from 'react';
import { privacyApiRef } from '../api';
import type { RequestAction } from '../lib/actions';
import { describeError } from '@internal/plugin-ops-react';

const verbs: Record<RequestAction, { verb: string; done: string }> = {
  approve: { verb: 'approve', done: 'approved' },
  cancel: { verb: 'cancel', done: 'canceled' },
  retry: { verb: 'retry', done: 'queued again' },
  extend: { verb: 'extend the deadline of', done: 'given a later deadline' },
};

/**
 * Runs approve / cancel / retry / extend on one request, says how it went in
 * an alert, then calls `onDone` so the page fetches the request again (also
 * after a 409: the page was showing a state that is no longer current).
 */
export function useRequestAction(id: string, onDone: () => void) {
  const privacyApi = useApi(privacyApiRef);
  const alertApi = useApi(alertApiRef);
  const [pending, setPending] = useState<RequestAction>();

  const run = useCallback(
    async (action: RequestAction, reason?: string): Promise<boolean> => {
      setPending(action);
      try {
        if (action === 'extend') {
          await privacyApi.extendDeadline(id, { reason: reason ?? '' });
        } else {
          await privacyApi[action](id);
        }
        alertApi.post({
          message: `Request ${id} ${verbs[action].done}`,
          severity: 'success',
          display: 'transient',
        });
        return true;
      } catch (error) {
        const { status, message } = describeError(error);
        let prefix = `Could not ${verbs[action].verb} ${id}`;
        if (status === 403)
          prefix = `Not permitted to ${verbs[action].verb} ${id}`;
        if (status === 409) prefix = `Cannot ${verbs[action].verb} ${id} now`;
        alertApi.post({ message: `${prefix}: ${message}`, severity: 'error' });
        return false;
      } finally {
        setPending(undefined);
        onDone();
      }
    },
    [privacyApi, alertApi, id, onDone],
  );

  return { run, pending };
}
