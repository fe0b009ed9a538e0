export { LivePipeline, OWN_PLUGIN_ID } from './LivePipeline';
export type {
  AppendEvents,
  LivePipelineOptions,
  LivePipelineStats,
} from './LivePipeline';
export { RetryQueue, RETRY_QUEUE_BACKOFF } from './RetryQueue';
export type { DeliverBatch, RetryQueueOptions, RetryTimer } from './RetryQueue';
export { liveEntryKind, liveEntryToEcs } from './liveEntry';
export type { LiveEntryKind, LiveProblem } from './liveEntry';
