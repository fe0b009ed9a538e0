import {
  InfoCard,
  Link,
  MarkdownContent,
  Progress,
  StructuredMetadataTable,
  Table,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { RunbookCheckpoint } from '@internal/plugin-drills-common';
import { LoadErrorPanel, OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { drillsApiRef } from '../../api';
import { safeLinkUri } from '../common/InlineMarkdown';
import { useDrillsPaths } from '../common/paths';

/** One runbook: what it covers, its timed checkpoints and its text. */
export function RunbookPage() {
  const { id = '' } = useParams();
  const api = useApi(drillsApiRef);
  const paths = useDrillsPaths();
  const {
    value: runbook,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => api.getRunbook(id), [api, id]);

  const back = (
    <Box mb={2}>
      <Link to={paths.tab('runbooks')}>All runbooks</Link>
    </Box>
  );

  if (loading) {
    return (
      <OpsPage title="Runbook" subtitle={id}>
        <Progress />
      </OpsPage>
    );
  }
  if (error || !runbook) {
    return (
      <OpsPage title="Runbook" subtitle={id}>
        {back}
        <LoadErrorPanel
          error={error ?? new Error('No runbook')}
          what={`runbook ${id}`}
          retry={retry}
        />
      </OpsPage>
    );
  }

  const steps = runbook.phases.reduce(
    (count, phase) => count + phase.steps.length,
    0,
  );

  return (
    <OpsPage title={runbook.title} subtitle={`Runbook · ${runbook.file}`}>
      {back}
      <Grid container spacing={3}>
        <Grid item xs={12} md={5}>
          <InfoCard title="About">
            <StructuredMetadataTable
              dense
              options={{ titleFormat: key => key }}
              metadata={{
                Kind: runbook.kind,
                Severity: runbook.severity ?? '—',
                Services: runbook.services.join(', ') || '—',
                Owner: runbook.owner,
                Roles: runbook.roles.join(', ') || '—',
                Phases:
                  runbook.phases.map(phase => phase.phase).join(', ') || '—',
                Steps: steps,
                File: runbook.file,
              }}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={7}>
          <Table<RunbookCheckpoint>
            title="Checkpoints"
            columns={[
              { title: 'Checkpoint', field: 'title' },
              { title: 'Phase', field: 'phase' },
              {
                title: 'Target',
                field: 'targetMinutes',
                render: checkpoint =>
                  `within ${checkpoint.targetMinutes} min of the start`,
              },
            ]}
            data={runbook.checkpoints}
            options={{ paging: false, search: false, padding: 'dense' }}
            emptyContent={
              <Box p={2}>This runbook has no timed checkpoints.</Box>
            }
          />
        </Grid>
        <Grid item xs={12}>
          <InfoCard title="Runbook">
            <MarkdownContent
              content={runbook.markdown}
              dialect="gfm"
              transformLinkUri={safeLinkUri}
            />
          </InfoCard>
        </Grid>
      </Grid>
    </OpsPage>
  );
}
