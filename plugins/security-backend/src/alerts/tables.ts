export const SECURITY_ALERTS_TABLE = 'security_alerts';
export const SECURITY_ALERT_EVENTS_TABLE = 'security_alert_events';
export const SECURITY_OUTBOX_TABLE = 'security_outbox';
export const SECURITY_AUDIT_TABLES = {
  events: 'security_audit_events',
  pending: 'security_audit_pending',
};
/** The outbox target of notifications (the SLO plugin's external alerts). */
export const SLO_TARGET = 'slo-external-alert';
