import { pointsOf, type Criterion } from '@internal/plugin-evidence-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** A choice of control points, from the criteria the backend serves. */
export function PointsSelect(props: {
  id: string;
  label?: string;
  criteria: Criterion[];
  value: string[];
  onChange: (points: string[]) => void;
  error?: string;
  /** Offer "All" and "None" beside the select. */
  quickPicks?: boolean;
}) {
  const { id, label = 'Points', criteria, value, onChange, error } = props;
  const points = pointsOf(criteria);
  const all = points.map(point => point.id);
  return (
    <Box display="flex" alignItems="flex-end" style={{ gap: 8 }}>
      <TextField
        id={id}
        select
        label={label}
        value={value}
        onChange={event => {
          const chosen = event.target.value as unknown as string[];
          // Keep the catalog's order whatever the order of the clicks.
          onChange(all.filter(point => chosen.includes(point)));
        }}
        SelectProps={{
          multiple: true,
          renderValue: selected => {
            const list = selected as string[];
            if (list.length === 0) return 'None';
            if (list.length === all.length) return `All ${all.length} points`;
            return list.join(', ');
          },
        }}
        error={Boolean(error)}
        helperText={error}
        fullWidth
        margin="dense"
      >
        {points.map(point => (
          <MenuItem key={point.id} value={point.id} dense>
            <Checkbox
              size="small"
              checked={value.includes(point.id)}
              inputProps={{ 'aria-hidden': true }}
            />
            <ListItemText primary={`${point.id} · ${point.title}`} />
          </MenuItem>
        ))}
      </TextField>
      {props.quickPicks && (
        <>
          <Button size="small" onClick={() => onChange(all)}>
            All
          </Button>
          <Button size="small" onClick={() => onChange([])}>
            None
          </Button>
        </>
      )}
    </Box>
  );
}
