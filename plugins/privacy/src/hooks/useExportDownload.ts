import { useApi } from '@backstage/core-plugin-api';
import { useBlobDownload } from '@internal/plugin-ops-react';
import { useCallback } from 'react';
import { privacyApiRef } from '../api';

/** Fetches an export bundle with the user's token and saves it as a file. */
export function useExportDownload(exportId: string, fileName: string) {
  const privacyApi = useApi(privacyApiRef);
  const fetchFile = useCallback(
    () => privacyApi.downloadExport(exportId),
    [privacyApi, exportId],
  );
  return useBlobDownload(fetchFile, fileName, `export ${exportId}`);
}
