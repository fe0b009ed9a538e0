import type {
  IndicatorSource,
  PrometheusQueries,
  SloTierSummary,
} from '@internal/plugin-slo-common';

/**
 * Prometheus recording and alerting rules for one SLO objective: the error
 * ratio over every window a tier uses, and one multiwindow, multi-burn-rate
 * alert per tier with the same fire condition as the engine (`evaluate` in
 * `../engine/tiers.ts`): both windows burn at or above the tier's threshold.
 */

/** What the rule generator needs to know about an objective. */
export interface RuleObjective {
  /** The objective id, e.g. `privacy-sla:region=EU,type=export`; kept raw as label value. */
  id: string;
  displayName: string;
  /** OpenSLO `spec.service`. */
  service: string;
  /** The owning group, e.g. `group:default/payments-team`. */
  owner?: string;
  /** Share of good events, e.g. 0.999. */
  target: number;
  /** The objective's window in minutes (a calendar month counts as 30 days). */
  periodMinutes: number;
  /**
   * The Prometheus queries of the indicator, with `{{window}}` where the rate
   * range goes (an `Objective`'s `indicator.source` fits); `'push'` when
   * counts arrive through the push API.
   */
  indicator: IndicatorSource | PrometheusQueries;
  /** The objective's resolved tiers (thresholds already scaled to the period). */
  tiers: readonly SloTierSummary[];
  links: {
    /** The objective's page in the portal. */
    objective: string;
    runbook?: string;
  };
}

/** A Prometheus recording rule. */
export interface PrometheusRecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

/** A Prometheus alerting rule. */
export interface PrometheusAlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type PrometheusRule = PrometheusRecordingRule | PrometheusAlertingRule;

/** One rule group, as in a Prometheus rule file or a `PrometheusRule`'s `spec.groups`. */
export interface PrometheusRuleGroup {
  name: string;
  /** Evaluation interval, e.g. `1m`; the server's global interval when absent. */
  interval?: string;
  rules: PrometheusRule[];
}

/** Why an objective has no Prometheus rules. */
export type RulesNotAvailableReason =
  /** The SLI's counts arrive through the push API: Prometheus has no series for it. */
  | 'push'
  /** A threshold SLI (one query compared with a value): no error ratio to record. */
  | 'threshold-sli';

/** The rules of one objective, or why there are none. */
export type PrometheusRuleGroups =
  | {
      available: true;
      objectiveId: string;
      groups: PrometheusRuleGroup[];
      /** Things worth telling whoever downloads the rules, e.g. a query without `{{window}}`. */
      warnings: string[];
    }
  | {
      available: false;
      objectiveId: string;
      reason: RulesNotAvailableReason;
      message: string;
    };

/** The alert name every tier's rule uses; `slo` and `tier` labels tell them apart. */
export const SLO_ALERT_NAME = 'SloErrorBudgetBurn';

/** The label the recording rules put the objective id in. */
export const SLO_ID_LABEL = 'slo_id';

/**
 * The relative tolerance of the engine's threshold comparison (`EPSILON` in
 * `../engine/tiers.ts`), applied to the rules' bound so that a burn of exactly
 * the threshold fires in both despite floating point.
 */
const THRESHOLD_EPSILON = 1e-9;

/** The window syntax the engine accepts (`parseDuration`), valid in PromQL too. */
const WINDOW_PATTERN = /^[1-9]\d*[mhdw]$/;

const WINDOW_PLACEHOLDER = /\{\{\s*window\s*\}\}/g;

/** The recording rule name of the error ratio over a window, e.g. `slo:sli_error:ratio_rate5m`. */
export function errorRatioRecordName(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** 32-bit FNV-1a of a string, as 8 hex digits: a short, stable suffix. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A Prometheus-safe name (`[a-zA-Z_][a-zA-Z0-9_]*`) for an objective id.
 * Dashes become underscores; when anything else had to change (`:`, `=`,
 * `,`, `#`, `.`, ...), a hash of the raw id is appended so that distinct ids
 * stay distinct, e.g. `privacy-sla:region=EU,type=export` →
 * `privacy_sla_region_EU_type_export_1b2c3d4e`.
 */
export function sanitizeName(id: string): string {
  const base = id
    .replace(/[^a-zA-Z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  const onlyDashes = /^[a-zA-Z0-9_-]+$/.test(id);
  const name =
    onlyDashes && base ? base : `${base}${base ? '_' : ''}${shortHash(id)}`;
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** The rule group name of an objective: `slo_` and its sanitized id. */
export function ruleGroupName(id: string): string {
  return `slo_${sanitizeName(id)}`;
}

/** A PromQL double-quoted string literal. */
function promqlString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')}"`;
}

/**
 * Alert labels and annotations are Go templates: a literal `{{` in an id or a
 * display name must not start an action.
 */
function templateLiteral(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

/** A number for people: at most 12 significant digits (14.4, not 14.399999999999999). */
function formatNumber(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** A number of minutes as a duration: `30d`, `6h`, `90m`. */
export function formatMinutes(minutes: number): string {
  if (minutes > 0 && minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes > 0 && minutes % 60 === 0) return `${minutes / 60}h`;
  return `${formatNumber(minutes)}m`;
}

function formatPercent(ratio: number): string {
  return `${formatNumber(ratio * 100)}%`;
}

function withWindow(query: string, window: string): string {
  return query.replace(WINDOW_PLACEHOLDER, window).trim();
}

/**
 * The error ratio of a window as PromQL. A missing numerator series (no good
 * requests at all, or no errors yet) counts as zero rather than making the
 * whole ratio vanish, so a full outage still alerts; no traffic at all gives
 * 0/0 = NaN, which no comparison reaches (the engine's `noTraffic`).
 */
function errorRatioExpr(
  indicator: Exclude<PrometheusQueries, { query: string }>,
  window: string,
): string {
  const total = withWindow(indicator.total, window);
  if ('good' in indicator) {
    const good = withWindow(indicator.good, window);
    return `1 - (((${good}) or (0 * (${total}))) / (${total}))`;
  }
  const bad = withWindow(indicator.bad, window);
  return `((${bad}) or (0 * (${total}))) / (${total})`;
}

function assertValidInput(input: RuleObjective): void {
  if (!(input.target > 0 && input.target < 1)) {
    throw new RangeError(
      `Objective '${input.id}': target must be between 0 and 1, got ${input.target}`,
    );
  }
  if (!(input.periodMinutes > 0)) {
    throw new RangeError(
      `Objective '${input.id}': periodMinutes must be positive, got ${input.periodMinutes}`,
    );
  }
  const names = new Set<string>();
  for (const tier of input.tiers) {
    for (const w of [tier.longWindow, tier.shortWindow]) {
      if (!WINDOW_PATTERN.test(w)) {
        throw new RangeError(
          `Objective '${input.id}', tier '${tier.name}': invalid window '${w}' (expected e.g. 5m, 1h, 3d)`,
        );
      }
    }
    if (!(tier.threshold > 0) || !Number.isFinite(tier.threshold)) {
      throw new RangeError(
        `Objective '${input.id}', tier '${tier.name}': threshold must be a positive number, got ${tier.threshold}`,
      );
    }
    if (names.has(tier.name)) {
      throw new RangeError(
        `Objective '${input.id}': tier '${tier.name}' is listed twice`,
      );
    }
    names.add(tier.name);
  }
}

/** The windows the tiers use, shortest first, each once. */
function tierWindows(tiers: readonly SloTierSummary[]): string[] {
  const minutes = (w: string) =>
    Number(w.slice(0, -1)) *
    { m: 1, h: 60, d: 1440, w: 10080 }[w.slice(-1) as 'm' | 'h' | 'd' | 'w'];
  const unique = [
    ...new Set(tiers.flatMap(t => [t.longWindow, t.shortWindow])),
  ];
  return unique.sort((a, b) => minutes(a) - minutes(b) || a.localeCompare(b));
}

/**
 * The error-ratio bound of a tier: threshold × (1 - target), lowered by the
 * engine's relative tolerance, at 12 significant digits (the rounding is far
 * below the tolerance).
 */
export function errorRatioBound(threshold: number, target: number): number {
  return Number(
    (threshold * (1 - target) * (1 - THRESHOLD_EPSILON)).toPrecision(12),
  );
}

/**
 * Recording and alerting rules for one objective, in one group named after
 * its id ({@link ruleGroupName}).
 *
 * - For every window a tier uses, `slo:sli_error:ratio_rate<window>` with the
 *   label `slo_id`: the share of bad events, the indicator's queries with
 *   `{{window}}` replaced by the window.
 * - For every tier, an alert {@link SLO_ALERT_NAME} that fires when the error
 *   ratio of both the long and the short window is at or above
 *   threshold × (1 - target), as the engine does. No `for:`: like the engine,
 *   the alert fires at the first evaluation that meets the condition.
 *
 * A push-fed objective or a threshold SLI has no rules: the result says so
 * (`available: false`) instead of throwing. Invalid input (a target outside
 * (0, 1), a window PromQL cannot take) throws a RangeError.
 */
export function generateRules(input: RuleObjective): PrometheusRuleGroups {
  if (input.indicator === 'push') {
    return {
      available: false,
      objectiveId: input.id,
      reason: 'push',
      message: `Objective '${input.id}' is fed through the push API: Prometheus has no series for it, so there are no rules to generate.`,
    };
  }
  const indicator = input.indicator;
  if ('query' in indicator) {
    return {
      available: false,
      objectiveId: input.id,
      reason: 'threshold-sli',
      message: `Objective '${input.id}' has a threshold SLI (one query compared with a value): rules are generated for ratio SLIs (good/total or bad/total) only.`,
    };
  }
  assertValidInput(input);

  const warnings: string[] = [];
  const queries: [string, string][] =
    'good' in indicator
      ? [
          ['good', indicator.good],
          ['total', indicator.total],
        ]
      : [
          ['bad', indicator.bad],
          ['total', indicator.total],
        ];
  for (const [part, query] of queries) {
    if (!new RegExp(WINDOW_PLACEHOLDER.source).test(query)) {
      warnings.push(
        `The ${part} query has no {{window}} placeholder: every window records the same value.`,
      );
    }
  }

  const idSelector = `{${SLO_ID_LABEL}=${promqlString(input.id)}}`;
  const recording: PrometheusRecordingRule[] = tierWindows(input.tiers).map(
    window => ({
      record: errorRatioRecordName(window),
      expr: errorRatioExpr(indicator, window),
      labels: { [SLO_ID_LABEL]: input.id },
    }),
  );

  const period = formatMinutes(input.periodMinutes);
  const name = templateLiteral(input.displayName);
  const alerting: PrometheusAlertingRule[] = input.tiers.map(tier => {
    const bound = errorRatioBound(tier.threshold, input.target);
    const threshold = formatNumber(tier.threshold);
    const exhaustion = formatMinutes(
      Math.round(input.periodMinutes / tier.threshold),
    );
    const labels: Record<string, string> = {
      severity: tier.severity,
      slo: templateLiteral(input.id),
      tier: templateLiteral(tier.name),
      service: templateLiteral(input.service),
    };
    if (input.owner) labels.owner = templateLiteral(input.owner);
    const annotations: Record<string, string> = {
      summary: `${name}: error budget burning at ${threshold}x or faster (${templateLiteral(
        tier.name,
      )})`,
      description:
        `The error ratio of "${name}" (service ${templateLiteral(
          input.service,
        )}, target ${formatPercent(input.target)} over ${period}) ` +
        `has been at least ${threshold}x the budget (${formatPercent(
          tier.threshold * (1 - input.target),
        )}) over both the last ${tier.longWindow} and the last ${
          tier.shortWindow
        }. ` +
        `At this rate ${formatPercent(
          tier.budgetShare,
        )} of the budget is spent in ${
          tier.longWindow
        }, and all of it in about ${exhaustion}.`,
    };
    if (input.links.runbook) {
      annotations.runbook_url = templateLiteral(input.links.runbook);
    }
    annotations.portal_url = templateLiteral(input.links.objective);
    return {
      alert: SLO_ALERT_NAME,
      expr:
        `${errorRatioRecordName(tier.longWindow)}${idSelector} >= ${bound}\n` +
        `and\n` +
        `${errorRatioRecordName(tier.shortWindow)}${idSelector} >= ${bound}`,
      labels,
      annotations,
    };
  });

  return {
    available: true,
    objectiveId: input.id,
    groups: [
      { name: ruleGroupName(input.id), rules: [...recording, ...alerting] },
    ],
    warnings,
  };
}

/**
 * Rules for many objectives: the groups of those that have rules, and the
 * ids and reasons of those that have none. Group names are made unique (a
 * hash of the id is appended on a clash).
 */
export function generateRulesForAll(inputs: readonly RuleObjective[]): {
  groups: PrometheusRuleGroup[];
  unavailable: Extract<PrometheusRuleGroups, { available: false }>[];
  warnings: { objectiveId: string; message: string }[];
} {
  const groups: PrometheusRuleGroup[] = [];
  const unavailable: Extract<PrometheusRuleGroups, { available: false }>[] = [];
  const warnings: { objectiveId: string; message: string }[] = [];
  const used = new Set<string>();
  for (const input of inputs) {
    const result = generateRules(input);
    if (!result.available) {
      unavailable.push(result);
      continue;
    }
    for (const message of result.warnings) {
      warnings.push({ objectiveId: input.id, message });
    }
    for (const group of result.groups) {
      let groupName = group.name;
      for (let n = 0; used.has(groupName); n++) {
        groupName = `${group.name}_${shortHash(`${input.id}#${n}`)}`;
      }
      used.add(groupName);
      groups.push({ ...group, name: groupName });
    }
  }
  return { groups, unavailable, warnings };
}
