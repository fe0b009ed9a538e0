/**
 * Normalized objectives: what the backend makes of OpenSLO v1 files, and what
 * the engine, the rule generator and the frontend read. One `Objective` per
 * SLO objective and, for per-label SLOs, per combination of label values.
 */

/** A duration unit of the OpenSLO duration shorthand (`5m`, `1h`, `28d`, `1w`, `1M`, `1Q`, `1Y`). */
export type DurationUnit = 'm' | 'h' | 'd' | 'w' | 'M' | 'Q' | 'Y';

/** A rolling window of fixed length, e.g. the last 28 days. */
export interface RollingWindow {
  type: 'rolling';
  /** As written, e.g. `28d`. */
  duration: string;
  /** Its length in minutes. */
  minutes: number;
}

/** A calendar-aligned window, e.g. each month starting at `startTime` in `timeZone`. */
export interface CalendarWindow {
  type: 'calendar';
  /** As written, e.g. `1M`. */
  duration: string;
  /** How many `unit`s one period lasts. */
  count: number;
  unit: Exclude<DurationUnit, 'm' | 'h'>;
  /** Local date and time the periods are aligned to, `YYYY-MM-DD HH:mm:ss`, no zone. */
  startTime: string;
  /** IANA time zone name, e.g. `Europe/Berlin`. */
  timeZone: string;
}

export type ObjectiveWindow = RollingWindow | CalendarWindow;

/** How the error budget is counted. */
export type ObjectiveBudgeting =
  | { method: 'Occurrences' }
  | {
      method: 'Timeslices';
      /** Share of good events a slice needs to count as good, (0, 1]. */
      timeSliceTarget: number;
      /** Slice length as written (a bare number in the YAML means minutes, kept here as `<n>m`). */
      timeSliceWindow: string;
      timeSliceWindowMinutes: number;
    };

/** Comparison operator of a threshold SLI or a burn-rate condition. */
export type ComparisonOp = 'lt' | 'lte' | 'gt' | 'gte';

/** The Prometheus queries of an indicator (placeholders of per-label SLOs already filled in). */
export type PrometheusQueries =
  | { good: string; total: string }
  | { bad: string; total: string }
  /** A threshold SLI: one query whose value is compared with the objective's threshold. */
  | { query: string };

/** Indicator read from Prometheus. */
export type PrometheusSource = {
  type: 'prometheus';
  /** The OpenSLO `DataSource` the metric source referred to, if any. */
  dataSource?: { name: string; connectionDetails: Record<string, unknown> };
} & PrometheusQueries;

/** `'push'`: the SLI has no query; good/total counts arrive through the push API. */
export type IndicatorSource = 'push' | PrometheusSource;

/** The service level indicator of an objective. */
export interface ObjectiveIndicator {
  /** The SLI's `metadata.name`. */
  name: string;
  displayName?: string;
  /** `ratio`: good (or bad) over total; `threshold`: a value compared with `threshold`. */
  kind: 'ratio' | 'threshold';
  /** Ratio only: whether the metrics are monotonic counters. */
  counter?: boolean;
  source: IndicatorSource;
  /** Threshold SLIs only: an event is good when `value <op> threshold.value`, e.g. latency `lt` 0.3. */
  threshold?: { op: ComparisonOp; value: number };
}

/** Where an alert policy sends its notifications. */
export interface ObjectiveNotificationTarget {
  /** The `AlertNotificationTarget`'s `metadata.name`. */
  name: string;
  /** `spec.target` lower-cased without spaces, dashes or underscores, e.g. `pagerduty`, `slack`, `jira`, `statuspage`. */
  type: string;
  description?: string;
}

/** A burn-rate alert condition (`AlertCondition` with `condition.kind: burnrate`). */
export interface ObjectiveAlertCondition {
  /** The `AlertCondition`'s `metadata.name`. */
  name: string;
  /** e.g. `critical`, `warning`, `page`, `ticket`. */
  severity: string;
  kind: 'burnrate';
  /** Defaults to `gt`. */
  op: ComparisonOp;
  /** Burn rate, e.g. 14.4. */
  threshold: number;
  lookbackWindow: string;
  lookbackMinutes: number;
  alertAfter: string;
  alertAfterMinutes: number;
}

/** An OpenSLO `AlertPolicy` attached to an objective, references resolved. */
export interface ObjectiveAlertPolicy {
  name: string;
  displayName?: string;
  description?: string;
  alertWhenBreaching: boolean;
  alertWhenResolved: boolean;
  alertWhenNoData: boolean;
  /** OpenSLO v1 allows exactly one condition per policy. */
  condition: ObjectiveAlertCondition;
  notificationTargets: ObjectiveNotificationTarget[];
}

/** One normalized service level objective. */
export interface Objective {
  /**
   * Unique id: the SLO's `metadata.name`, then `#<index>` when the SLO has
   * several objectives, then `:<label>=<value>,...` for per-label SLOs,
   * e.g. `privacy-sla:region=EU,type=export`.
   */
  id: string;
  /** The SLO's `metadata.name`. */
  name: string;
  displayName: string;
  service: string;
  description?: string;
  /** Share of good events (or good slices), e.g. 0.999. */
  target: number;
  budgeting: ObjectiveBudgeting;
  window: ObjectiveWindow;
  indicator: ObjectiveIndicator;
  alertPolicies: ObjectiveAlertPolicy[];
  /** The SLO's `metadata.labels` plus, for per-label SLOs, this objective's label values. */
  labels: Record<string, string>;
  /** The file the SLO was read from, and the line its document starts on. */
  sourceFile: string;
  sourceLine: number;
}

/** A problem in an objectives file: where it is and what is wrong. */
export interface ObjectiveFileError {
  file: string;
  /** 1-based line of the offending field (or of its nearest parent that exists). */
  line: number;
  /** Field path inside the document, e.g. `spec.objectives[0].target`; empty for the whole document. */
  path: string;
  message: string;
}
