export {
  MAX_PAGE_OFFSET,
  PluginApiClient,
  PluginApiError,
  type PluginApiDeps,
} from './PluginApiClient';
export {
  createMonitoringCollector,
  type MonitoringAlert,
  type MonitoringCollectorOptions,
  type MonitoringEvidence,
  type MonitoringObjective,
} from './monitoring';
export {
  createPrivacyCollector,
  sanitizeSlaReport,
  type AuditVerificationResult,
  type PrivacyCollectorOptions,
  type SlaEvidenceRow,
} from './privacy';
export {
  createIncidentDrillsCollector,
  drillRunSchema,
  type FinishedDrillRun,
  type IncidentDrillsCollectorOptions,
} from './drills';
