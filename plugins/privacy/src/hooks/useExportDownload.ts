import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { privacyApiRef } from '../api';
import { describeError } from '@internal/plugin-ops-react';

/** Fetches an export bundle with the user's token and saves it as a file. */
export function useExportDownload(exportId: string, fileName: string) {
  const privacyApi = useApi(privacyApiRef);
  const alertApi = useApi(alertApiRef);
  const [state, download] = useAsyncFn(async () => {
    try {
      const blob = await privacyApi.downloadExport(exportId);
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = fileName;
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (error) {
      const { status, message } = describeError(error);
      alertApi.post({
        message: `${
          status === 403 ? 'Not permitted to download' : 'Could not download'
        } export ${exportId}: ${message}`,
        severity: 'error',
      });
    }
  }, [privacyApi, alertApi, exportId, fileName]);
  return { downloading: state.loading, download };
}
