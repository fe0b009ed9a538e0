import type { Ecs } from '@elastic/ecs';

/** One security event in Elastic Common Schema (what normalization produces). */
export type EcsDocument = Ecs;

/** An alert a correlation rule raised: enough to page someone and to show the evidence. */
export interface SecurityAlert {
  /** The rule that fired, e.g. `brute-force`. */
  ruleId: string;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** What the rule groups by, e.g. `source.ip`, and its value (an IP, a user ref). */
  groupBy: string;
  groupKey: string;
  /** Stable across retries and restarts: one alert per rule, key and window start. */
  dedupKey: string;
  /** The window that fired: first and last triggering event times (ISO). */
  firstAt: string;
  lastAt: string;
  /** How many events were in the window when it fired. */
  count: number;
  /** The triggering events (at most the rule's threshold, in order). */
  events: EcsDocument[];
}

/** A plain value an ECS field is compared with. */
export type FieldValue = string | number | boolean;

/**
 * One test on one ECS field, by dotted path (`event.category`). A field that
 * holds an array (ECS `event.category`, `event.type`, `user.roles`) matches
 * when any of its elements does. Exactly one of `equals`, `in`, `exists`.
 */
export type FieldCondition =
  | { field: string; equals: FieldValue }
  | { field: string; in: FieldValue[] }
  | { field: string; exists: boolean };

/** Which events a rule counts: a condition, or all / any of nested ones. */
export type MatchExpression =
  | FieldCondition
  | { all: MatchExpression[] }
  | { any: MatchExpression[] };

/**
 * Local wall-clock hours an event must fall in, `[from, to)`, in an IANA
 * time zone (DST-correct). `from > to` wraps midnight (22:00–06:00).
 */
export interface TimeOfDayWindow {
  from: string;
  to: string;
  timezone: string;
}

/** A correlation rule, as config (validated by `parseCorrelationRules`). */
export interface CorrelationRule {
  id: string;
  title: string;
  severity: SecurityAlert['severity'];
  match: MatchExpression;
  /**
   * The field whose value names the group (`source.ip`, `user.id`); with
   * several paths, the first present one (`['source.ip', 'client.ip']`).
   */
  groupBy: string | string[];
  /** Matching events of one group within the window that raise an alert. */
  threshold: number;
  /**
   * Window length: `threshold` events fire when the last is *less than*
   * `windowSeconds` after the first. An event exactly `windowSeconds` after
   * the first is outside the first one's window.
   */
  windowSeconds: number;
  timeOfDay?: TimeOfDayWindow;
}

/** Counters of one rule in `CorrelationEngine.stats()`. */
export interface RuleStats {
  /** Events that matched the rule (also those suppressed or late). */
  matched: number;
  /** Matching events without a value at `groupBy` (not counted). */
  ungrouped: number;
  /** Matching events inside a window that already alerted for the key. */
  suppressed: number;
  /** Keys tracked now (at most `maxKeysPerRule`). */
  keys: number;
  /** Event times held now over all keys (at most keys × threshold). */
  storedTimes: number;
  /** Event documents held now for alerts (at most keys × `maxEventsPerAlert`). */
  storedEvents: number;
  /** Keys dropped because the rule held `maxKeysPerRule` (least recently seen first). */
  evicted: number;
  /** Keys dropped because their window had passed (no memory kept for idle keys). */
  expired: number;
  alerts: number;
}

/** What `CorrelationEngine.stats()` returns. */
export interface CorrelationStats {
  /** Events pushed. */
  events: number;
  /** Events older than the newest seen by more than the tolerance: dropped. */
  late: number;
  /** Events older than the newest seen, within the tolerance: counted. */
  outOfOrder: number;
  /** Events without a valid `@timestamp`: counted at the engine's `now()`. */
  untimed: number;
  alerts: number;
  rules: Record<string, RuleStats>;
}
