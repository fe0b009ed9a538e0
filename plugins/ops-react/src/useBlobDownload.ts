import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { describeError } from './forms/errors';

/**
 * Fetches a file with the user's token (a plain link could not send it) and
 * hands it to the browser to save as `fileName`. A failure is posted to the
 * alert API, naming `what` ("export e1", "binder b1").
 */
export function useBlobDownload(
  fetchFile: () => Promise<Blob>,
  fileName: string,
  what: string,
) {
  const alertApi = useApi(alertApiRef);
  const [state, download] = useAsyncFn(async () => {
    try {
      const blob = await fetchFile();
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
        } ${what}: ${message}`,
        severity: 'error',
      });
    }
  }, [fetchFile, fileName, what, alertApi]);
  return { downloading: state.loading, download };
}
