export {
  EventStream,
  SECURITY_STREAM_CURSOR_TABLE,
  SECURITY_STREAM_EVENTS_TABLE,
} from './EventStream';
export type { StreamCursor, StreamEvent } from './EventStream';
export { Detector } from './Detector';
export type { DetectorOptions, DetectorTurn, StoreAlert } from './Detector';
export { PipelineStatus } from './PipelineStatus';
