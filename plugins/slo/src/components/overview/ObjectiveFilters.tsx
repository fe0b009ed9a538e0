import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import { SLO_OBJECTIVE_STATES } from '@internal/plugin-slo-common';
import {
  ObjectiveFilterValues,
  SORT_OPTIONS,
} from '../../hooks/useObjectiveFilters';
import { STATE_LABELS } from '../../lib/format';

type TextKey = 'q' | 'owner' | 'system';

const textFields: Array<{ key: TextKey; label: string; placeholder: string }> =
  [
    { key: 'q', label: 'Search', placeholder: 'name or service' },
    { key: 'owner', label: 'Owner', placeholder: 'group:default/team' },
    { key: 'system', label: 'System', placeholder: 'system:default/shop' },
  ];

/** The overview's filters and sort order; every change reloads the table from page one. */
export function ObjectiveFilters(props: {
  filters: ObjectiveFilterValues;
  onChange: <K extends keyof ObjectiveFilterValues>(
    key: K,
    value: ObjectiveFilterValues[K],
  ) => void;
}) {
  const { filters, onChange } = props;
  return (
    <Grid container spacing={2} alignItems="center">
      {textFields.map(field => (
        <Grid item key={field.key}>
          <TextField
            id={`slo-filter-${field.key}`}
            label={field.label}
            placeholder={field.placeholder}
            value={filters[field.key]}
            onChange={event => onChange(field.key, event.target.value)}
            InputLabelProps={{ shrink: true }}
            variant="outlined"
            size="small"
          />
        </Grid>
      ))}
      <Grid item>
        <TextField
          select
          id="slo-filter-state"
          label="State"
          value={filters.state}
          onChange={event =>
            onChange(
              'state',
              event.target.value as ObjectiveFilterValues['state'],
            )
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          variant="outlined"
          size="small"
        >
          <option value="">Any</option>
          {SLO_OBJECTIVE_STATES.map(state => (
            <option key={state} value={state}>
              {STATE_LABELS[state]}
            </option>
          ))}
        </TextField>
      </Grid>
      <Grid item>
        <TextField
          select
          id="slo-filter-sort"
          label="Sort"
          value={filters.sort}
          onChange={event =>
            onChange(
              'sort',
              event.target.value as ObjectiveFilterValues['sort'],
            )
          }
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          variant="outlined"
          size="small"
        >
          {SORT_OPTIONS.map(option => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </TextField>
      </Grid>
    </Grid>
  );
}
