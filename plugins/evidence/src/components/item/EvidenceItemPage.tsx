import {
  InfoCard,
  Link,
  Progress,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import type { EvidenceItem } from '@internal/plugin-evidence-common';
import { LoadErrorPanel, OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import DownloadIcon from '@material-ui/icons/GetApp';
import { useCallback, useEffect, useState } from 'react';
import { Link as RouterLink, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { evidenceApiRef, type EvidenceItemDetail } from '../../api';
import { useDownload } from '../../hooks/useDownload';
import {
  formatBytes,
  formatDate,
  formatDateTime,
  formatPeriod,
} from '../../lib/format';
import { rootRouteRef, runRouteRef } from '../../routes';
import { LegalHoldControl } from './LegalHoldControl';
import { SummaryFacts } from './SummaryFacts';
import { VerifyItemCard } from './VerifyItemCard';

function DownloadButton(props: { item: EvidenceItem }) {
  const api = useApi(evidenceApiRef);
  const { id, fileName } = props.item;
  const fetchFile = useCallback(() => api.downloadItem(id), [api, id]);
  const { download, downloading } = useDownload(
    fetchFile,
    fileName,
    `evidence ${fileName}`,
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

function ItemDetails(props: { item: EvidenceItemDetail }) {
  const api = useApi(evidenceApiRef);
  const runPath = useRouteRef(runRouteRef);
  const { item } = props;
  const address = useAsync(() => api.itemContentUrl(item.id), [api, item.id]);
  return (
    <InfoCard title="Evidence">
      <StructuredMetadataTable
        dense
        options={{ titleFormat: key => key }}
        metadata={{
          Type: item.type,
          Points: item.points.join(', ') || '—',
          Period: formatPeriod(item.periodStart, item.periodEnd),
          Collected: formatDateTime(item.collectedAt),
          'Filed by': item.filedBy,
          Collector: item.collector ?? 'upload',
          Run: item.runId ? (
            <Link to={runPath({ id: item.runId })}>{item.runId}</Link>
          ) : (
            '—'
          ),
          Entity: item.entityRef ?? '—',
          Cadence: item.cadence,
          File: `${item.fileName} (${item.mediaType}, ${formatBytes(
            item.sizeBytes,
          )})`,
          'File address': address.value ?? '—',
          'Retained until': formatDate(item.retainUntil),
          'Legal hold': item.legalHold ? 'yes' : 'no',
        }}
      />
    </InfoCard>
  );
}

/** One evidence item: what it proves, its hash and chain place, verify, download, legal hold. */
export function EvidenceItemPage() {
  const api = useApi(evidenceApiRef);
  const rootPath = useRouteRef(rootRouteRef)();
  const { id = '' } = useParams();
  const loaded = useAsyncRetry(() => api.getItem(id), [api, id]);
  const [item, setItem] = useState<EvidenceItemDetail>();
  useEffect(() => setItem(loaded.value), [loaded.value]);
  const onHoldChanged = useCallback(
    (changed: EvidenceItem) =>
      setItem(previous => previous && { ...previous, ...changed }),
    [],
  );

  return (
    <OpsPage
      title={item ? item.title : 'Evidence item'}
      subtitle={`Evidence item ${id}`}
      actions={
        item && (
          <Box display="flex" style={{ gap: 8 }}>
            <Button
              variant="text"
              component={RouterLink}
              to={`${rootPath}/evidence`}
            >
              All evidence
            </Button>
            <LegalHoldControl item={item} onChanged={onHoldChanged} />
            <DownloadButton item={item} />
          </Box>
        )
      }
    >
      {loaded.error && (
        <LoadErrorPanel
          error={loaded.error}
          what={`evidence item ${id}`}
          retry={loaded.retry}
        />
      )}
      {!loaded.error && !item && <Progress />}
      {item && (
        <Grid container spacing={3}>
          {item.legalHold && (
            <Grid item xs={12}>
              <Chip color="secondary" label="Under legal hold" />
            </Grid>
          )}
          <Grid item xs={12} md={6}>
            <ItemDetails item={item} />
          </Grid>
          <Grid item xs={12} md={6}>
            <VerifyItemCard item={item} />
          </Grid>
          <Grid item xs={12}>
            <SummaryFacts summary={item.summary} />
          </Grid>
        </Grid>
      )}
    </OpsPage>
  );
}
