import {
  InfoCard,
  StatusPending,
  StatusWarning,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type DsarRequestDetail,
  privacyExportDownloadPermission,
} from '@internal/plugin-privacy-common';
import Button from '@material-ui/core/Button';
import DownloadIcon from '@material-ui/icons/GetApp';
import { useExportDownload } from '../../hooks/useExportDownload';
import { formatBytes, formatDateTime } from '../../lib/format';

type ExportBundle = NonNullable<DsarRequestDetail['export']>;

function DownloadButton(props: { requestId: string; bundle: ExportBundle }) {
  const { download, downloading } = useExportDownload(
    props.bundle.id,
    `${props.requestId}-export.zip`,
  );
  return (
    <Button
      variant="contained"
      color="primary"
      startIcon={<DownloadIcon />}
      onClick={() => download()}
      disabled={downloading}
    >
      Download
    </Button>
  );
}

/**
 * The export bundle of a completed export: its checksum, expiry and, for
 * those allowed privacy.export.download on the request, its download.
 */
export function ExportCard(props: {
  requestId: string;
  bundle: DsarRequestDetail['export'];
  completed?: boolean;
}) {
  const { requestId, bundle, completed } = props;
  const canDownload = usePermission({
    permission: privacyExportDownloadPermission,
    resourceRef: requestId,
  });
  if (!bundle) {
    return (
      <InfoCard title="Export bundle" variant="gridItem">
        <StatusPending>
          {completed
            ? 'No bundle is recorded for this request.'
            : 'No bundle yet: it is built when the export completes.'}
        </StatusPending>
      </InfoCard>
    );
  }
  const expired = Date.parse(bundle.expiresAt) < Date.now();
  return (
    <InfoCard
      title="Export bundle"
      variant="gridItem"
      actions={
        canDownload.allowed && (
          <DownloadButton requestId={requestId} bundle={bundle} />
        )
      }
    >
      {expired && (
        <StatusWarning>
          Expired on {formatDateTime(bundle.expiresAt)}
        </StatusWarning>
      )}
      <StructuredMetadataTable
        dense
        options={{ titleFormat: key => key }}
        metadata={{
          Size: formatBytes(bundle.sizeBytes),
          'SHA-256': <code>{bundle.sha256}</code>,
          'Encryption key': bundle.keyId,
          'Expires at': formatDateTime(bundle.expiresAt),
        }}
      />
    </InfoCard>
  );
}
