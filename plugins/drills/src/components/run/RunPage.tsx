import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type {
  ActionItem,
  RunCheckpoint,
  RunParticipant,
  RunView,
  StepAttachment,
  StepNote,
} from '@internal/plugin-drills-common';
import { OpsPage, describeError } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Alert from '@material-ui/lab/Alert';
import { useCallback } from 'react';
import { useParams } from 'react-router-dom';
import { rootRouteRef } from '../../routes';
import { ActionItems } from './ActionItems';
import { CheckpointList } from './CheckpointList';
import { Checklist } from './Checklist';
import { FinishedRun } from './FinishedRun';
import { LeadActions } from './LeadActions';
import { Participants } from './Participants';
import { RunHeader } from './RunHeader';
import { useCurrentUser, usePresence } from './hooks';
import { useRun } from './useRun';

function RunNotFound(props: { id: string }) {
  const root = useRouteRef(rootRouteRef);
  return (
    <EmptyState
      missing="data"
      title="This drill run does not exist"
      description={`There is no run ${props.id}. It may have been mistyped.`}
      action={<Link to={root()}>Back to drills</Link>}
    />
  );
}

function LoadFailed(props: { id: string; error: Error; retry: () => void }) {
  if (describeError(props.error).status === 404) {
    return <RunNotFound id={props.id} />;
  }
  return (
    <Box>
      <ResponseErrorPanel error={props.error} title="Could not load the run" />
      <Button variant="outlined" onClick={props.retry}>
        Try again
      </Button>
    </Box>
  );
}

/** The run, laid out for the people checking it off together. */
function RunContent(props: {
  live: ReturnType<typeof useRun>;
  run: RunView;
  me?: string;
}) {
  const { live, run, me } = props;
  const { update } = live;
  const viewers = usePresence(run.id, live.lastSignal);
  const running = run.state === 'running';
  const role = run.participants.find(p => p.entityRef === me)?.role;
  const participating = running && role !== undefined;
  const leading = running && me !== undefined && run.lead === me;

  const onCheckpoint = useCallback(
    (checkpoint: RunCheckpoint) =>
      update(r => ({
        ...r,
        checkpoints: r.checkpoints.map(c =>
          c.id === checkpoint.id ? checkpoint : c,
        ),
      })),
    [update],
  );
  const onNote = useCallback(
    (note: StepNote) => update(r => ({ ...r, notes: [...r.notes, note] })),
    [update],
  );
  const onAttachment = useCallback(
    (attachment: StepAttachment) =>
      update(r => ({ ...r, attachments: [...r.attachments, attachment] })),
    [update],
  );
  const onActionItem = useCallback(
    (item: ActionItem) =>
      update(r => ({ ...r, actionItems: [...r.actionItems, item] })),
    [update],
  );
  const onParticipant = useCallback(
    (participant: RunParticipant) =>
      update(r => ({
        ...r,
        participants: [
          ...r.participants.filter(p => p.entityRef !== participant.entityRef),
          participant,
        ],
      })),
    [update],
  );
  const onEnded = useCallback((next: RunView) => update(() => next), [update]);

  return (
    <>
      {live.liveError && (
        <Box mb={2}>
          <Alert severity="warning">
            Lost touch with the server; what you see may be out of date (
            {describeError(live.liveError).message}).
          </Alert>
        </Box>
      )}
      {running && me !== undefined && role === undefined && (
        <Box mb={2}>
          <Alert severity="info">
            You are watching: only the run's participants check steps.
          </Alert>
        </Box>
      )}
      <RunHeader
        run={run}
        actions={
          leading ? <LeadActions run={run} onDone={onEnded} /> : undefined
        }
      />
      <Grid container spacing={3}>
        <Grid item xs={12} md={8}>
          <Checklist
            run={run}
            canCheck={participating}
            pendingSteps={live.pendingSteps}
            onToggle={live.setStep}
            onNoteAdded={onNote}
            onAttachmentAdded={onAttachment}
          />
        </Grid>
        <Grid item xs={12} md={4}>
          {/* A plain stack: a nested spacing Grid overflows the column. */}
          <Box display="flex" flexDirection="column">
            {run.state === 'finished' && (
              <Box mb={3}>
                <FinishedRun run={run} />
              </Box>
            )}
            <Box mb={3}>
              <CheckpointList
                run={run}
                canAct={participating}
                onReached={onCheckpoint}
              />
            </Box>
            <Box mb={3}>
              <Participants
                run={run}
                viewers={viewers}
                me={me}
                canAdd={running && (role === 'lead' || role === 'coordinator')}
                onAdded={onParticipant}
              />
            </Box>
            <Box mb={3}>
              <ActionItems
                run={run}
                me={me}
                canAdd={participating}
                onAdded={onActionItem}
              />
            </Box>
          </Box>
        </Grid>
      </Grid>
    </>
  );
}

/** One drill run, live: `/runs/:id` below the drills page. */
export function RunPage() {
  const { id = '' } = useParams();
  const live = useRun(id);
  const me = useCurrentUser();
  const { run } = live;
  return (
    <OpsPage
      title={run?.title ?? 'Drill run'}
      subtitle={run ? `Run ${run.id} · ${run.scenarioId}` : `Run ${id}`}
    >
      {live.error && (
        <LoadFailed id={id} error={live.error} retry={live.reload} />
      )}
      {!live.error && !run && <Progress />}
      {run && <RunContent live={live} run={run} me={me} />}
    </OpsPage>
  );
}
