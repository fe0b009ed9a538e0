export { useBlobDownload as useDownload } from '@internal/plugin-ops-react';
