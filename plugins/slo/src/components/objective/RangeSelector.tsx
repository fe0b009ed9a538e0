import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { RANGES, RANGE_KEYS, RangeKey } from '../../lib/ranges';

/** 6h, 1d, 7d or 30d of history in the charts. */
export function RangeSelector(props: {
  value: RangeKey;
  onChange: (range: RangeKey) => void;
}) {
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={props.value}
      onChange={(_event, value: RangeKey | null) => {
        if (value) props.onChange(value);
      }}
      aria-label="Chart range"
    >
      {RANGE_KEYS.map(key => (
        <ToggleButton key={key} value={key} aria-label={RANGES[key].label}>
          {key}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
