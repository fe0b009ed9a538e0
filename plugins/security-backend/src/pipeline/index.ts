export { LivePipeline, OWN_PLUGIN_ID } from './LivePipeline';
export type { LivePipelineOptions } from './LivePipeline';
export { PendingAlerts, PENDING_ALERTS_BACKOFF } from './PendingAlerts';
export type {
  PendingAlertsOptions,
  RaisedAlert,
  RetryTimer,
  StoreAlert,
} from './PendingAlerts';
export {
  liveEntryKind,
  liveEntryToEcs,
  PRIVACY_INTAKE_ACTION,
} from './liveEntry';
export type { LiveEntryKind, LiveProblem } from './liveEntry';
