/**
 * Prometheus recording and alerting rules for SLO objectives, as a rule file
 * or a Prometheus Operator `PrometheusRule`.
 */
export {
  errorRatioBound,
  errorRatioRecordName,
  formatMinutes,
  generateRules,
  generateRulesForAll,
  ruleGroupName,
  sanitizeName,
  SLO_ALERT_NAME,
  SLO_ID_LABEL,
} from './generateRules';
export type {
  PrometheusAlertingRule,
  PrometheusRecordingRule,
  PrometheusRule,
  PrometheusRuleGroup,
  PrometheusRuleGroups,
  RuleObjective,
  RulesNotAvailableReason,
} from './generateRules';
export {
  buildPrometheusRule,
  toPrometheusRuleManifest,
  toRulesFileYaml,
} from './rulesYaml';
export type { PrometheusRuleManifestOptions } from './rulesYaml';
