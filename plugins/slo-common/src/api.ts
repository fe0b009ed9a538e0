/**
 * The shapes of the SLO HTTP API under /api/slo, shared by the backend, the
 * frontend and the notifiers. Times are ISO 8601 text; ratios are 0..1.
 */
import type { BurnRate, SloTierEvaluation } from './evaluation';
import type { ObjectiveBudgeting, ObjectiveWindow } from './objectives';

/** What the overview shows of an objective's latest evaluation. */
export type SloObjectiveState =
  /** No minute with traffic in the window yet. */
  | 'no-data'
  /** Within budget, no tier firing, burning at most 1× in the last hour. */
  | 'ok'
  /** Burning faster than 1× over the last hour, no tier firing. */
  | 'burning'
  /** At least one tier firing. */
  | 'firing'
  /** Budget of the window spent (budgetRemaining ≤ 0). */
  | 'exhausted';

export const SLO_OBJECTIVE_STATES = [
  'no-data',
  'ok',
  'burning',
  'firing',
  'exhausted',
] as const satisfies readonly SloObjectiveState[];

/** One resolved alert tier of an objective: its windows and burn-rate threshold. */
export interface SloTierSummary {
  name: string;
  severity: 'page' | 'ticket';
  longWindow: string;
  shortWindow: string;
  /** Burn rate both windows must reach, e.g. 14.4. */
  threshold: number;
  /** Share of the period's budget the tier allows in its long window. */
  budgetShare: number;
  /** Names of the notification targets this tier notifies. */
  targets: string[];
}

/** An objective as `GET /objectives` lists it. */
export interface SloObjectiveSummary {
  /** The objective id, as in every `:ref` route (URL-encode it). */
  id: string;
  name: string;
  displayName: string;
  /** OpenSLO `spec.service`. */
  service: string;
  /** The catalog entity whose annotation named the file; absent for objectives from folders. */
  entityRef?: string;
  /** The owning group of that entity, e.g. `group:default/payments-team`. */
  owner?: string;
  /** The entity's system, e.g. `system:default/storefront`. */
  system?: string;
  /** The entity's runbook (its `ops.portal/runbook` annotation), linked from alerts. */
  runbook?: string;
  target: number;
  window: ObjectiveWindow;
  /** e.g. `30d rolling`, `calendar month`. */
  windowLabel: string;
  budgeting: ObjectiveBudgeting['method'];
  /** Where the SLI comes from. */
  source: 'push' | 'prometheus';
  tiers: SloTierSummary[];
  /** Objective labels (per-label SLOs carry their label values here). */
  labels: Record<string, string>;
  /** The file and line the objective was read from. */
  sourceFile: string;
  sourceLine: number;
  state: SloObjectiveState;
  /** The latest evaluation; null before the first. */
  status: SloStatus | null;
}

/** `GET /objectives/:ref/status?at=`: an objective evaluated as of one minute. */
export interface SloStatus {
  objectiveRef: string;
  /** The minute evaluated (inclusive end of every window). */
  at: string;
  /** good / total over the objective's window; null when it had no traffic. */
  sli: number | null;
  /** 1 untouched, 0 exhausted, below 0 overspent. */
  budgetRemaining: number;
  /** Minutes until the budget is spent at the last hour's burn; null when not burning. */
  timeToExhaustionMinutes: number | null;
  /** Burn rate per window name ('5m', '1h', ...). */
  burnRates: Record<string, BurnRate>;
  /** Names of the tiers firing. */
  firing: string[];
  tiers: SloTierEvaluation[];
  /** The latest stored minute of SLI data, null when none. */
  dataThrough: string | null;
}

/** `GET /objectives/:ref/series?from&to&step`: one point per step. */
export interface SloSeriesPoint {
  at: string;
  /** null: no traffic in the objective's window. */
  sli: number | null;
  budgetRemaining: number;
  /** Burn rate per window name; null where the window had no traffic (a gap, not zero). */
  burnRates: Record<string, number | null>;
  firing: string[];
}

export interface SloSeries {
  objectiveRef: string;
  from: string;
  to: string;
  stepMinutes: number;
  target: number;
  /** The objective's tiers: which window pairs to draw and each threshold line. */
  tiers: SloTierSummary[];
  points: SloSeriesPoint[];
}

/** A link to what a notifier made for an alert: a Jira issue, a PagerDuty incident, a Slack thread, a status page incident. */
export interface SloAlertLink {
  /** The notification target's configured name. */
  target: string;
  /** `jira`, `pagerduty`, `slack`, `statuspage`, `backstage`, `demo`. */
  type: string;
  /** The vendor's id, e.g. `OPS-42`, a Slack message ts. */
  externalId: string;
  url?: string;
}

/** One firing episode of an (objective, tier) alert. */
export interface SloAlert {
  id: string;
  objectiveRef: string;
  tier: string;
  severity: 'page' | 'ticket';
  /** `${objectiveRef}:${tier}`, the same for every episode; vendors dedupe on it. */
  dedupKey: string;
  state: 'firing' | 'resolved';
  firedAt: string;
  resolvedAt: string | null;
  acknowledged: { by: string; at: string; reason: string } | null;
  silenced: { by: string; until: string; reason: string } | null;
  links: SloAlertLink[];
}

/** A problem found while reading objectives, as the SLO page lists it. */
export interface SloObjectiveProblem {
  /** The file (repository-relative or URL), as found. */
  file: string;
  line: number;
  /** Field path, e.g. `spec.objectives[0].target`. */
  path: string;
  message: string;
  /** The entity whose annotation named the file, if any. */
  entityRef?: string;
}

/** What a notification says: one alert transition. The outbox payload of every notifier. */
export interface SloAlertNotification {
  /** Absent in payloads stored before external alerts existed. */
  kind?: 'slo';
  event: 'fired' | 'resolved' | 'acknowledged' | 'silenced';
  alertId: string;
  dedupKey: string;
  at: string;
  objective: {
    id: string;
    displayName: string;
    service: string;
    entityRef?: string;
    owner?: string;
    target: number;
    windowLabel: string;
  };
  tier: {
    name: string;
    severity: 'page' | 'ticket';
    threshold: number;
    longWindow: string;
    shortWindow: string;
  };
  /** Burn rates of the tier's windows at the transition (null: no traffic). */
  burnRates: { long: number | null; short: number | null };
  budgetRemaining: number;
  /** Who acknowledged or silenced, and why (for those events). */
  actor?: { by: string; reason: string; until?: string };
  links: {
    /** The objective's page in the portal. */
    objective: string;
    runbook?: string;
    /** The rollback template, with the service filled in. */
    rollback?: string;
  };
}

/** What the demo sink recorded: one notification a target would have sent. */
export interface SloDemoSinkEntry {
  id: number;
  target: string;
  type: string;
  /** What the vendor would have received: method, path and body. */
  request: { method: string; path: string; body: unknown };
  receivedAt: string;
}

/** `GET /settings`: how this backend runs, for the pages to say so. */
export interface SloSettings {
  /** Demo mode: generated traffic, and notifications recorded in the demo sink instead of sent. */
  demo: boolean;
}
