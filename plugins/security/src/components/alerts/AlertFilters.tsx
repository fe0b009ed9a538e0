import {
  SECURITY_ALERT_STATUSES,
  SECURITY_SEVERITIES,
  type SecurityAlertStatus,
  type SecurityRuleInfo,
  type SecuritySeverity,
} from '@internal/plugin-security-common';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import type { ReactNode } from 'react';

export interface AlertFilterValues {
  status: SecurityAlertStatus | '';
  severity: SecuritySeverity | '';
  ruleId: string;
}

export const NO_FILTERS: AlertFilterValues = {
  status: '',
  severity: '',
  ruleId: '',
};

function Select(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
  helperText?: string;
}) {
  return (
    <TextField
      id={props.id}
      select
      label={props.label}
      value={props.value}
      onChange={event => props.onChange(event.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      margin="dense"
      helperText={props.helperText}
      error={Boolean(props.helperText)}
      style={{ minWidth: 160 }}
    >
      <option value="">All</option>
      {props.children}
    </TextField>
  );
}

/** Status, severity and rule filters; the rules come from `GET /rules`. */
export function AlertFilters(props: {
  value: AlertFilterValues;
  onChange: (value: AlertFilterValues) => void;
  rules: SecurityRuleInfo[];
  /** The rules could not be loaded: the rule filter says so. */
  rulesError?: boolean;
}) {
  const { value, onChange, rules } = props;
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
      <Select
        id="security-alert-status"
        label="Status"
        value={value.status}
        onChange={status =>
          onChange({ ...value, status: status as AlertFilterValues['status'] })
        }
      >
        {SECURITY_ALERT_STATUSES.map(status => (
          <option key={status} value={status}>
            {status}
          </option>
        ))}
      </Select>
      <Select
        id="security-alert-severity"
        label="Severity"
        value={value.severity}
        onChange={severity =>
          onChange({
            ...value,
            severity: severity as AlertFilterValues['severity'],
          })
        }
      >
        {SECURITY_SEVERITIES.map(severity => (
          <option key={severity} value={severity}>
            {severity}
          </option>
        ))}
      </Select>
      <Select
        id="security-alert-rule"
        label="Rule"
        value={value.ruleId}
        onChange={ruleId => onChange({ ...value, ruleId })}
        helperText={props.rulesError ? 'Could not load the rules' : undefined}
      >
        {rules.map(rule => (
          <option key={rule.id} value={rule.id}>
            {rule.title}
          </option>
        ))}
      </Select>
    </Box>
  );
}
