import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import {
  PRIORITIES,
  REGIONS,
  REQUEST_STATES,
  REQUEST_TYPES,
} from '@internal/plugin-privacy-common';
import {
  RequestFilterValues,
  SORT_OPTIONS,
} from '../../hooks/useRequestFilters';

type SelectKey = Exclude<keyof RequestFilterValues, 'overdue'>;

const choices: Array<{
  key: Exclude<SelectKey, 'sort'>;
  label: string;
  options: readonly string[];
}> = [
  { key: 'state', label: 'State', options: REQUEST_STATES },
  { key: 'type', label: 'Type', options: REQUEST_TYPES },
  { key: 'region', label: 'Region', options: REGIONS },
  { key: 'priority', label: 'Priority', options: Object.keys(PRIORITIES) },
];

/** The queue's filters and sort order; every change reloads the table from page one. */
export function RequestFilters(props: {
  filters: RequestFilterValues;
  onChange: <K extends keyof RequestFilterValues>(
    key: K,
    value: RequestFilterValues[K],
  ) => void;
}) {
  const { filters, onChange } = props;
  return (
    <Grid container spacing={2} alignItems="center">
      {choices.map(choice => (
        <Grid item key={choice.key}>
          <TextField
            select
            id={`privacy-filter-${choice.key}`}
            label={choice.label}
            value={filters[choice.key]}
            onChange={event =>
              onChange(
                choice.key,
                event.target.value as RequestFilterValues[typeof choice.key],
              )
            }
            SelectProps={{ native: true }}
            InputLabelProps={{ shrink: true }}
            variant="outlined"
            size="small"
          >
            <option value="">Any</option>
            {choice.options.map(option => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </TextField>
        </Grid>
      ))}
      <Grid item>
        <TextField
          select
          id="privacy-filter-sort"
          label="Sort"
          value={filters.sort}
          onChange={event =>
            onChange('sort', event.target.value as RequestFilterValues['sort'])
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
      <Grid item>
        <FormControlLabel
          control={
            <Switch
              checked={filters.overdue}
              onChange={event => onChange('overdue', event.target.checked)}
              color="primary"
            />
          }
          label="Overdue only"
        />
      </Grid>
    </Grid>
  );
}
