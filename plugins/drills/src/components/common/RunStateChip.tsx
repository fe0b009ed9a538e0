import type { RunState } from '@internal/plugin-drills-common';
import Chip from '@material-ui/core/Chip';

const COLORS: Record<RunState, 'primary' | 'default' | 'secondary'> = {
  running: 'primary',
  finished: 'default',
  aborted: 'secondary',
};

export function RunStateChip(props: { state: RunState }) {
  return (
    <Chip
      size="small"
      label={props.state}
      color={COLORS[props.state]}
      variant={props.state === 'finished' ? 'outlined' : 'default'}
    />
  );
}
