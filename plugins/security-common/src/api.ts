/**
 * The security plugin's HTTP API, under /api/security. Lists answer with
 * the ops `Page` envelope (`items`, `totalCount`, `limit`, `offset`).
 *
 * - `GET /alerts?status=&severity=&ruleId=&limit=&offset=` → `Page<SecurityAlertSummary>`, newest first
 * - `GET /alerts/:id` → `SecurityAlertDetail`
 * - `POST /alerts/:id/status` `SecurityAlertStatusChange` → `SecurityAlertSummary` (security.alert.manage)
 * - `GET /summary?days=` → `SecurityAlertSummaryByDay` (for the chart; default 30 days)
 * - `GET /rules` → `{ rules: SecurityRuleInfo[] }`
 * - `GET /pipeline` → `SecurityPipelineStats`
 */

export const SECURITY_SEVERITIES = [
  'low',
  'medium',
  'high',
  'critical',
] as const;
export type SecuritySeverity = (typeof SECURITY_SEVERITIES)[number];

export const SECURITY_ALERT_STATUSES = [
  'open',
  'acknowledged',
  'closed',
] as const;
export type SecurityAlertStatus = (typeof SECURITY_ALERT_STATUSES)[number];

/** An ECS document as stored and served (nested objects, `@timestamp` first). */
export type SecurityEvent = { '@timestamp'?: string } & Record<string, unknown>;

/** Where the alert's notification through the SLO plugin's notifiers stands. */
export type SecurityNotificationState =
  /** In the outbox, not yet accepted by the SLO plugin. */
  | 'pending'
  /** Accepted by the SLO plugin, which delivers it to its targets. */
  | 'sent'
  /** Refused for good (e.g. the SLO plugin does not route this source). */
  | 'failed'
  /** Notifications are turned off (`security.notifications.enabled: false`). */
  | 'off';

export interface SecurityAlertSummary {
  id: string;
  ruleId: string;
  title: string;
  severity: SecuritySeverity;
  status: SecurityAlertStatus;
  /** What the rule groups by (`source.ip`, `user.id`) and the group's value. */
  groupBy: string;
  groupKey: string;
  /** First and last triggering event times, and when the alert was raised (ISO). */
  firstAt: string;
  lastAt: string;
  raisedAt: string;
  /** Events in the window when it fired. */
  count: number;
  notification: SecurityNotificationState;
  /** The last status change: who, when, why. */
  statusChange?: { by: string; at: string; note: string };
  /** Seeded by demo mode (documentation addresses), never raised by the rules. */
  demo?: boolean;
}

export interface SecurityAlertDetail extends SecurityAlertSummary {
  /** The triggering events, oldest first (at most the rule's threshold). */
  events: SecurityEvent[];
}

export interface SecurityAlertStatusChange {
  status: SecurityAlertStatus;
  /** Why (1–1000 characters). */
  note: string;
}

/** Alerts raised per day (UTC) and severity, oldest day first, every day present. */
export interface SecurityAlertSummaryByDay {
  days: Array<{ day: string } & Record<SecuritySeverity, number>>;
  open: number;
}

export interface SecurityRuleInfo {
  id: string;
  title: string;
  severity: SecuritySeverity;
  threshold: number;
  windowSeconds: number;
  groupBy: string[];
  timeOfDay?: { from: string; to: string; timezone: string };
  /** Counters since this backend process started. */
  stats: {
    matched: number;
    alerts: number;
    keys: number;
    suppressed: number;
    evicted: number;
  };
}

/** The live pipeline's counters since this backend process started. */
export interface SecurityPipelineStats {
  /** When this process started counting (the per-process counters below). */
  startedAt: string;
  /** Log entries read from this process's log stream. */
  entries: number;
  /** Entries that became ECS events. */
  events: number;
  /** Events a rule could match, appended to the shared stream (or waiting to be). */
  streamed: number;
  /** Entries skipped, by reason (not security-relevant, unreadable, ...). */
  skipped: Record<string, number>;
  /** Entries dropped because the queue was full (this process fell behind). */
  dropped: number;
  /**
   * Events not appended to the shared stream yet (the database failed): they
   * wait in this process, in order, and are retried with backoff.
   */
  pendingEvents: number;
  /** Events given up on: the oldest waiting ones beyond the bound (default 10 000). */
  eventsDropped: number;
  /** Events in the shared stream (all replicas) the rules have not read yet. */
  streamLag: number;
  /** The detector's last turn (on any replica); absent before the first. */
  detectorRunAt?: string;
  /** Events the rules dropped as too late, while the detector ran in this process. */
  late: number;
  /** Alerts the detector raised while it ran in this process. */
  alerts: number;
}
