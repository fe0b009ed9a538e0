import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { RunView } from '@internal/plugin-drills-common';
import {
  LoadErrorPanel,
  OpsPage,
  useBlobDownload,
} from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import DownloadIcon from '@material-ui/icons/GetApp';
import { useCallback } from 'react';
import { Link as RouterLink, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { drillsApiRef } from '../../api';
import { useDrillsPaths } from '../common/paths';

function DownloadMarkdown(props: { runId: string }) {
  const api = useApi(drillsApiRef);
  const { runId } = props;
  const fetchFile = useCallback(
    async () =>
      new Blob([await api.getReportMarkdown(runId)], {
        type: 'text/markdown',
      }),
    [api, runId],
  );
  const { download, downloading } = useBlobDownload(
    fetchFile,
    `drill-report-${runId}.md`,
    `the report of run ${runId}`,
  );
  return (
    <Button
      variant="contained"
      color="primary"
      startIcon={<DownloadIcon />}
      onClick={() => download()}
      disabled={downloading}
    >
      Download markdown
    </Button>
  );
}

function Report(props: { run: RunView }) {
  const api = useApi(drillsApiRef);
  const { run } = props;
  const {
    value: html,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => api.getReportHtml(run.id), [api, run.id]);
  if (loading) return <Progress />;
  if (error)
    return <LoadErrorPanel error={error} what="the report" retry={retry} />;
  return (
    <>
      <Box mb={2}>
        <DownloadMarkdown runId={run.id} />
      </Box>
      <InfoCard noPadding>
        {/* The report is the backend's HTML: sandboxed, no scripts, no same origin. */}
        <iframe
          title={`Drill report: ${run.title}`}
          sandbox=""
          srcDoc={html ?? ''}
          style={{ width: '100%', height: '75vh', border: 0 }}
        />
      </InfoCard>
    </>
  );
}

/** A finished run's report, as the backend wrote it. */
export function ReportPage() {
  const { id = '' } = useParams();
  const api = useApi(drillsApiRef);
  const paths = useDrillsPaths();
  const {
    value: run,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => api.getRun(id), [api, id]);

  const back = (
    <Box mb={2}>
      <Link to={paths.run(id)}>Back to the run</Link>
    </Box>
  );

  let content;
  if (loading) {
    content = <Progress />;
  } else if (error || !run) {
    content = (
      <LoadErrorPanel
        error={error ?? new Error('No run')}
        what={`run ${id}`}
        retry={retry}
      />
    );
  } else if (run.state !== 'finished') {
    content = (
      <InfoCard>
        <EmptyState
          missing="info"
          title={
            run.state === 'aborted'
              ? 'This drill was aborted: it has no report'
              : 'The report is written when the drill is finished'
          }
          description={
            run.state === 'aborted'
              ? `It was aborted${
                  run.abortReason ? `: ${run.abortReason}` : ''
                }. Only a finished run gets a report and evidence.`
              : 'This run is still going. When its lead finishes it, the report (timings against targets, steps, notes and action items) appears here.'
          }
          action={
            <Button
              variant="contained"
              color="primary"
              component={RouterLink}
              to={paths.run(id)}
            >
              Open the run
            </Button>
          }
        />
      </InfoCard>
    );
  } else {
    content = <Report run={run} />;
  }

  return (
    <OpsPage
      title={run ? `Report: ${run.title}` : 'Drill report'}
      subtitle={`Run ${id}`}
    >
      {back}
      {content}
    </OpsPage>
  );
}
