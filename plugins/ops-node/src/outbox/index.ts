export { createOutboxTable, dropOutboxTable } from './schema';
export { Outbox, type ClaimedDelivery, type OutboxOptions } from './Outbox';
export {
  OutboxWorker,
  type OutboxLogger,
  type OutboxRunSummary,
  type OutboxWorkerOptions,
} from './OutboxWorker';
export {
  httpDeliverer,
  httpDeliveryPayloadSchema,
  type HttpDelivererOptions,
  type HttpDeliveryPayload,
} from './httpDeliverer';
export {
  DEFAULT_BACKOFF,
  backoffDelayMs,
  classifyHttpStatus,
  decideAfterFailure,
  parseRetryAfter,
  type BackoffPolicy,
  type FailureDecision,
  type HttpOutcome,
} from './retryPolicy';
export type {
  DeliveryAttempt,
  DeliveryResult,
  NewDelivery,
  OutboxDeliverer,
  OutboxDelivery,
  OutboxState,
} from './types';
