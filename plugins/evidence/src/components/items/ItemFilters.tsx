import {
  EVIDENCE_TYPES,
  pointsOf,
  type CollectorInfo,
  type Criterion,
} from '@internal/plugin-evidence-common';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';

export interface ItemFilterValues {
  point: string;
  type: string;
  collector: string;
  entityRef: string;
  q: string;
}

export const emptyItemFilters: ItemFilterValues = {
  point: '',
  type: '',
  collector: '',
  entityRef: '',
  q: '',
};

function Choice(props: {
  id: string;
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      select
      id={props.id}
      label={props.label}
      value={props.value}
      onChange={event => props.onChange(event.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      variant="outlined"
      size="small"
    >
      <option value="">Any</option>
      {props.options.map(option => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </TextField>
  );
}

/** The evidence list's filters; every change reloads the list from page one. */
export function ItemFilters(props: {
  values: ItemFilterValues;
  onChange: (key: keyof ItemFilterValues, value: string) => void;
  criteria: Criterion[];
  collectors: CollectorInfo[];
}) {
  const { values, onChange } = props;
  return (
    <Grid container spacing={2} alignItems="center">
      <Grid item>
        <Choice
          id="evidence-filter-point"
          label="Point"
          value={values.point}
          options={pointsOf(props.criteria).map(p => ({
            value: p.id,
            label: p.id,
          }))}
          onChange={value => onChange('point', value)}
        />
      </Grid>
      <Grid item>
        <Choice
          id="evidence-filter-type"
          label="Type"
          value={values.type}
          options={Object.keys(EVIDENCE_TYPES).map(type => ({
            value: type,
            label: type,
          }))}
          onChange={value => onChange('type', value)}
        />
      </Grid>
      <Grid item>
        <Choice
          id="evidence-filter-collector"
          label="Collector"
          value={values.collector}
          options={props.collectors.map(c => ({ value: c.id, label: c.title }))}
          onChange={value => onChange('collector', value)}
        />
      </Grid>
      <Grid item>
        <TextField
          id="evidence-filter-entity"
          label="Entity"
          placeholder="component:default/api-gateway"
          value={values.entityRef}
          onChange={event => onChange('entityRef', event.target.value)}
          variant="outlined"
          size="small"
          InputLabelProps={{ shrink: true }}
        />
      </Grid>
      <Grid item>
        <TextField
          id="evidence-filter-q"
          label="Search"
          placeholder="title or file name"
          value={values.q}
          onChange={event => onChange('q', event.target.value)}
          variant="outlined"
          size="small"
          InputLabelProps={{ shrink: true }}
        />
      </Grid>
    </Grid>
  );
}
