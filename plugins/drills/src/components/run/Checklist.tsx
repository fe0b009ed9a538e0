import { EmptyState, InfoCard } from '@backstage/core-components';
import type {
  RunPhase,
  RunStep,
  RunView,
  StepAttachment,
  StepNote,
} from '@internal/plugin-drills-common';
import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import Divider from '@material-ui/core/Divider';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InlineMarkdown } from '../common/InlineMarkdown';
import { formatTime, phaseTitle, shortRef } from './format';
import { StepDetails } from './StepDetails';

const useStyles = makeStyles(theme => ({
  phase: { marginTop: theme.spacing(2) },
  step: { display: 'flex', alignItems: 'flex-start' },
  checked: { color: theme.palette.text.secondary },
}));

export interface ChecklistProps {
  run: RunView;
  /** A participant of a running run. */
  canCheck: boolean;
  /** Steps whose change is on its way to the server. */
  pendingSteps: Record<string, unknown>;
  onToggle: (step: RunStep, checked: boolean) => void;
  onNoteAdded: (note: StepNote) => void;
  onAttachmentAdded: (attachment: StepAttachment) => void;
}

function StepRow(props: ChecklistProps & { step: RunStep }) {
  const classes = useStyles();
  const { run, step } = props;
  const pending = step.id in props.pendingSteps;
  // The checkbox and the details are named by the step's rendered text.
  const textId = `drill-step-text-${step.id}`;
  return (
    <Box>
      <Box className={classes.step} data-step-id={step.id}>
        <Checkbox
          checked={step.checked}
          disabled={!props.canCheck || pending}
          onChange={event => {
            if (props.canCheck && !pending) {
              props.onToggle(step, event.target.checked);
            }
          }}
          inputProps={{ 'aria-labelledby': textId }}
          color="primary"
        />
        <Box pt={1.2}>
          <Typography
            variant="body1"
            component="div"
            className={step.checked ? classes.checked : undefined}
          >
            <InlineMarkdown id={textId} text={step.text} />
          </Typography>
          {step.updatedBy && (
            <Typography variant="caption" color="textSecondary">
              {step.checked ? 'checked' : 'unchecked'} by{' '}
              {shortRef(step.updatedBy)} at {formatTime(step.updatedAt)}
            </Typography>
          )}
        </Box>
      </Box>
      <StepDetails
        runId={run.id}
        stepId={step.id}
        stepTextId={textId}
        notes={run.notes.filter(note => note.stepId === step.id)}
        attachments={run.attachments.filter(a => a.stepId === step.id)}
        canAdd={props.canCheck}
        onNoteAdded={props.onNoteAdded}
        onAttachmentAdded={props.onAttachmentAdded}
      />
    </Box>
  );
}

function PhaseSection(props: ChecklistProps & { phase: RunPhase }) {
  const classes = useStyles();
  const { phase } = props;
  const title = phaseTitle(phase.phase);
  const checked = phase.steps.filter(step => step.checked).length;
  return (
    <section aria-label={title} className={classes.phase}>
      <Typography variant="h6">
        {title}{' '}
        <Typography component="span" variant="body2" color="textSecondary">
          {checked} of {phase.steps.length}
        </Typography>
      </Typography>
      <Divider />
      {phase.steps.map(step => (
        <StepRow key={step.id} {...props} step={step} />
      ))}
    </section>
  );
}

/** The run's steps by phase, checked off by its participants. */
export function Checklist(props: ChecklistProps) {
  const phases = props.run.phases.filter(phase => phase.steps.length > 0);
  return (
    <InfoCard title="Checklist">
      {phases.length === 0 ? (
        <EmptyState
          missing="content"
          title="No steps"
          description="The runbook of this scenario had no steps when the run started."
        />
      ) : (
        phases.map(phase => (
          <PhaseSection key={phase.phase} {...props} phase={phase} />
        ))
      )}
    </InfoCard>
  );
}
