export { LivePipeline, OWN_PLUGIN_ID } from './LivePipeline';
export type { LivePipelineOptions } from './LivePipeline';
export {
  liveEntryKind,
  liveEntryToEcs,
  PRIVACY_INTAKE_ACTION,
} from './liveEntry';
export type { LiveEntryKind, LiveProblem } from './liveEntry';
