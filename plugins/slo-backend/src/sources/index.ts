/**
 * Where SLI minutes come from besides the push API: a Prometheus server
 * (objectives with a Prometheus ratio indicator) and the privacy plugin's
 * SLA SLI (events on `ops.sli`, read back from `GET /metrics/sli`). Each
 * source has a `syncAll(objectives, now)` for the scheduler, answering one
 * {@link SourceSyncSummary} per objective it handles and never throwing for
 * one objective.
 */
export { PrometheusSource, RATE_WINDOW } from './prometheus/PrometheusSource';
export type { PrometheusSourceOptions } from './prometheus/PrometheusSource';
export {
  PrometheusClient,
  PrometheusQueryError,
  PROMETHEUS_MAX_POINTS,
} from './prometheus/PrometheusClient';
export {
  PrivacySliSource,
  PRIVACY_SLI_NAME,
  PRIVACY_SLI_TOPIC,
  privacyObjectiveRef,
  privacySliSampleSchema,
} from './privacy/PrivacySliSource';
export type {
  PrivacyObjectiveConfig,
  PrivacySliSample,
  PrivacySliSourceOptions,
} from './privacy/PrivacySliSource';
export type { FetchFn, SourceSyncSummary } from './types';
