export { ActionRecorder, changeDeliveryKey } from './ActionRecorder';
export type { ActionRecorderOptions, ChangeEvidence } from './ActionRecorder';
export { auditedAction, describeError } from './auditedAction';
export { EVIDENCE_TARGET, changeEvidenceDeliverer } from './evidenceDeliverer';
export type { ChangeEvidenceDelivererOptions } from './evidenceDeliverer';
export * from './tables';
export {
  changeKey,
  gitRevertChange,
  imageRollbackChange,
  kubernetesRollbackChange,
} from './rollbackChanges';
export type { RecordedChange, TaskUrl } from './rollbackChanges';
