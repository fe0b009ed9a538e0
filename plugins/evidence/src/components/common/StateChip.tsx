import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import type {
  BinderState,
  CollectorRunState,
  PointStatus,
} from '@internal/plugin-evidence-common';

export type Tone = 'ok' | 'active' | 'attention' | 'error' | 'idle' | 'aside';

const useStyles = makeStyles((theme: Theme) => {
  const tone = (color: string) => ({
    backgroundColor: color,
    color: theme.palette.getContrastText(color),
    fontWeight: 500,
  });
  return {
    ok: tone(theme.palette.success.main),
    active: tone(theme.palette.info.main),
    attention: tone(theme.palette.warning.main),
    error: tone(theme.palette.error.main),
    idle: tone(theme.palette.grey[500]),
    aside: tone(theme.palette.secondary.main),
  };
});

/** Colours of the coverage statuses, shared by the chips and the bars. */
export const POINT_STATUS_TONE: Record<PointStatus, Tone> = {
  fresh: 'ok',
  stale: 'attention',
  missing: 'error',
  exception: 'aside',
};

export const POINT_STATUSES: PointStatus[] = [
  'fresh',
  'stale',
  'missing',
  'exception',
];

const RUN_TONE: Record<CollectorRunState, Tone> = {
  running: 'active',
  succeeded: 'ok',
  failed: 'error',
};

const BINDER_TONE: Record<BinderState, Tone> = {
  queued: 'idle',
  building: 'active',
  ready: 'ok',
  failed: 'error',
};

/** A chip that says its state in words and in colour. */
export function ToneChip(props: { label: string; tone: Tone }) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.label}
      className={classes[props.tone] ?? classes.idle}
    />
  );
}

/** A point's coverage: green fresh, amber stale, red missing, purple excepted. */
export function PointStatusChip(props: { status: PointStatus }) {
  return (
    <ToneChip
      label={props.status}
      tone={POINT_STATUS_TONE[props.status] ?? 'idle'}
    />
  );
}

export function RunStateChip(props: { state: CollectorRunState }) {
  return (
    <ToneChip label={props.state} tone={RUN_TONE[props.state] ?? 'idle'} />
  );
}

export function BinderStateChip(props: { state: BinderState }) {
  return (
    <ToneChip label={props.state} tone={BINDER_TONE[props.state] ?? 'idle'} />
  );
}
