import type {
  SecurityAlertStatus,
  SecurityNotificationState,
  SecuritySeverity,
} from '@internal/plugin-security-common';
import Chip from '@material-ui/core/Chip';

/** Severity colours, also used by the chart's stacked bars. */
export const SEVERITY_COLORS: Record<SecuritySeverity, string> = {
  low: '#607d8b',
  medium: '#f9a825',
  high: '#ef6c00',
  critical: '#c62828',
};

export function SeverityChip(props: { severity: SecuritySeverity }) {
  const color = SEVERITY_COLORS[props.severity];
  return (
    <Chip
      size="small"
      label={props.severity}
      style={{ backgroundColor: color, color: '#fff' }}
    />
  );
}

const STATUS_COLORS: Record<SecurityAlertStatus, 'secondary' | 'default'> = {
  open: 'secondary',
  acknowledged: 'default',
  closed: 'default',
};

export function StatusChip(props: { status: SecurityAlertStatus }) {
  return (
    <Chip
      size="small"
      label={props.status}
      color={STATUS_COLORS[props.status]}
      variant={props.status === 'closed' ? 'outlined' : 'default'}
    />
  );
}

const NOTIFICATION_TEXT: Record<SecurityNotificationState, string> = {
  pending: 'Pending',
  sent: 'Sent',
  failed: 'Failed',
  off: 'Off',
};

const NOTIFICATION_HINT: Record<SecurityNotificationState, string> = {
  pending: 'Waiting in the outbox for the SLO plugin to accept it',
  sent: "Accepted by the SLO plugin, which delivers it to the alert's targets",
  failed: 'Refused for good; nobody was notified',
  off: 'Notifications are turned off (security.notifications.enabled)',
};

/** Where the alert's notification stands, with what that means on hover. */
export function NotificationState(props: { state: SecurityNotificationState }) {
  return (
    <span title={NOTIFICATION_HINT[props.state]}>
      {NOTIFICATION_TEXT[props.state]}
    </span>
  );
}
