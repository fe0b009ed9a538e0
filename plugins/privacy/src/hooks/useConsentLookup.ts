import { useApi } from '@backstage/core-plugin-api';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { privacyApiRef } from '../api';

/** Looks up a data subject's consents on demand. */
export function useConsentLookup() {
  const privacyApi = useApi(privacyApiRef);
  const [state, lookup] = useAsyncFn(
    (subjectId: string) => privacyApi.getConsent(subjectId.trim()),
    [privacyApi],
  );
  return { ...state, lookup };
}
