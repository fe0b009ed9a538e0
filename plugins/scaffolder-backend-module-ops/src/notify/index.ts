import type { OutboxDeliverer } from '@internal/plugin-ops-node';
import type { NotifyConfig, NotifyTarget } from './notifyConfig';
import { NotifyHttpOptions, slackDeliverer } from './slackDeliverer';
import { statuspageDeliverer } from './statuspageDeliverer';

export {
  NOTIFY_CONFIG_KEY,
  NOTIFY_TARGETS,
  readNotifyConfig,
  type NotifyConfig,
  type NotifyTarget,
  type SlackNotifyConfig,
  type StatuspageNotifyConfig,
} from './notifyConfig';
export {
  SLACK_NOTIFY_EVENT,
  slackDeliverer,
  slackPayloadSchema,
  type NotifyHttpOptions,
  type SlackPayload,
} from './slackDeliverer';
export {
  INCIDENT_STATUSES,
  componentStatusFor,
  statuspageDeliverer,
  statuspagePayloadSchema,
  type IncidentStatus,
  type StatuspagePayload,
} from './statuspageDeliverer';

/** The outbox table of this module (created by its migration). */
export const NOTIFY_OUTBOX_TABLE = 'ops_scaffolder_outbox';

/** A deliverer for each configured target, for an `OutboxWorker`. */
export function createNotifyDeliverers(
  config: NotifyConfig,
  options: NotifyHttpOptions = {},
): Record<string, OutboxDeliverer> {
  const deliverers: { [T in NotifyTarget]?: OutboxDeliverer } = {
    ...(config.slack && { slack: slackDeliverer(config.slack, options) }),
    ...(config.statuspage && {
      statuspage: statuspageDeliverer(config.statuspage, options),
    }),
  };
  return deliverers as Record<string, OutboxDeliverer>;
}
