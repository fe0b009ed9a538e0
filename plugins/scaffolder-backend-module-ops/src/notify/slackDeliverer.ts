import type {
  DeliveryAttempt,
  DeliveryResult,
  OutboxDeliverer,
} from '@internal/plugin-ops-node';
import { z } from 'zod';
import {
  DeliveryFailure,
  JsonCall,
  jsonClient,
  readPayload,
  settle,
} from './http';
import type { SlackNotifyConfig } from './notifyConfig';

/** `metadata.event_type` of the messages `ops:notify` posts. */
export const SLACK_NOTIFY_EVENT = 'ops_notify';

/** How many recent messages of the channel are searched before posting. */
export const SLACK_HISTORY_LIMIT = 100;

/** The payload of a delivery to the `slack` target. */
export const slackPayloadSchema = z.object({
  text: z.string().min(1).max(3000),
});
export type SlackPayload = z.infer<typeof slackPayloadSchema>;

/** Slack `error` codes worth another try; any other will not get better. */
const TRANSIENT = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

export interface NotifyHttpOptions {
  fetch?: typeof fetch;
  /** Per request. Default 10 000 ms. */
  timeoutMs?: number;
}

/**
 * A Web API call: HTTP failures as `jsonClient`; Slack's HTTP 200
 * `{ ok: false, error }` becomes a retry for transient codes (with
 * `Retry-After`), otherwise a permanent failure (e.g. `invalid_auth`,
 * `channel_not_found`).
 */
function slackApi(call: JsonCall) {
  return async (
    method: string,
    request: { get?: Record<string, string>; post?: unknown },
  ): Promise<Record<string, unknown>> => {
    const response = await call(
      method,
      request.post === undefined
        ? {
            method: 'GET',
            path: `/${method}?${new URLSearchParams(request.get)}`,
          }
        : { method: 'POST', path: `/${method}`, body: request.post },
    );
    const body = (response.body ?? {}) as Record<string, unknown>;
    if (body.ok === true) return body;
    const code = String(body.error ?? 'unknown_error').replace(/\W/g, '');
    const error = `Slack ${method}: ${code}`;
    throw new DeliveryFailure(
      TRANSIENT.has(code)
        ? {
            outcome: 'retry',
            status: response.status,
            error,
            retryAfter: response.headers.get('retry-after') ?? undefined,
          }
        : { outcome: 'permanent', status: response.status, error },
    );
  };
}

interface SlackMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { key?: unknown } };
}

/**
 * Posts a delivery's text to the configured channel with `chat.postMessage`,
 * carrying the delivery's idempotency key in the message metadata
 * (`event_type: ops_notify`). Before posting it looks for that key among the
 * channel's last 100 messages (`conversations.history`), so an attempt
 * repeated after a lost answer does not post twice. A message older than
 * that is not found: a repeat days later could post again.
 */
export function slackDeliverer(
  config: SlackNotifyConfig,
  options: NotifyHttpOptions = {},
): OutboxDeliverer {
  const api = slackApi(
    jsonClient({
      vendor: 'Slack',
      baseUrl: config.url,
      headers: { authorization: `Bearer ${config.token}` },
      ...options,
    }),
  );

  return {
    deliver: (attempt: DeliveryAttempt) =>
      settle(async (): Promise<DeliveryResult> => {
        const { text } = readPayload(
          'Slack',
          slackPayloadSchema,
          attempt.payload,
        );
        const key = attempt.idempotencyKey;
        const history = await api('conversations.history', {
          get: {
            channel: config.channel,
            limit: String(SLACK_HISTORY_LIMIT),
            include_all_metadata: 'true',
          },
        });
        const posted = ((history.messages ?? []) as SlackMessage[]).some(
          m =>
            m.metadata?.event_type === SLACK_NOTIFY_EVENT &&
            m.metadata.event_payload?.key === key,
        );
        if (!posted) {
          await api('chat.postMessage', {
            post: {
              channel: config.channel,
              text,
              unfurl_links: false,
              metadata: {
                event_type: SLACK_NOTIFY_EVENT,
                event_payload: { key },
              },
            },
          });
        }
        return { outcome: 'delivered' };
      }),
  };
}
