import type { DeliveryResult } from '@internal/plugin-ops-node';
import type {
  ExternalAlertNotification,
  OpsAlertNotification,
  SloAlertNotification,
} from '@internal/plugin-slo-common';
import { z } from 'zod';
import {
  describeAlert,
  eventText,
  externalFacts,
  formatBudget,
  formatBurnRate,
  isAbsoluteUrl,
} from './describe';
import {
  alertDeliverer,
  DeliveryFailure,
  RenderedRequest,
  VendorCall,
  permanent,
  vendorClient,
} from './http';
import type { NotifierContext, NotifierFactory } from './types';

export const slackConfigSchema = z
  .object({
    /** A bot token (`xoxb-…`, secret) with chat:write and channels:history. */
    token: z.string().min(1),
    /** The channel ID (e.g. `C0123456789`): history and updates need the ID, not a name. */
    channel: z
      .string()
      .regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a channel ID such as C0123456789'),
    url: z.string().url().default('https://slack.com/api'),
    /** How many recent messages are searched for an alert's message. */
    historyLimit: z.number().int().min(1).max(999).default(100),
  })
  .strict();

export type SlackConfig = z.input<typeof slackConfigSchema>;

/** `event_type` of the alert's message and of its thread replies. */
export const SLACK_ALERT_EVENT = 'slo_alert';
export const SLACK_UPDATE_EVENT = 'slo_alert_update';

type Block = Record<string, unknown>;

const STATUS: Record<OpsAlertNotification['event'], string> = {
  fired: ':rotating_light: Firing',
  acknowledged: ':eyes: Acknowledged',
  silenced: ':mute: Silenced',
  resolved: ':white_check_mark: Resolved',
};

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({
  type: 'plain_text',
  text: text.slice(0, 75),
  emoji: true,
});

/** The alert's message: header, facts, status and link buttons. */
export function slackAlertBlocks(n: SloAlertNotification): Block[] {
  const buttons = [
    { label: 'Runbook', url: n.links.runbook },
    { label: 'Objective', url: n.links.objective },
    { label: 'Roll back', url: n.links.rollback },
  ]
    .filter((b): b is { label: string; url: string } => !!b.url)
    .map((b, i) => ({
      type: 'button',
      text: plain(b.label),
      url: b.url,
      action_id: `slo_link_${i}`,
      ...(b.label === 'Roll back' && { style: 'danger' }),
    }));
  return [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `SLO alert: ${n.objective.displayName}`.slice(0, 150),
      },
    },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Service*\n${n.objective.service}`),
        mrkdwn(
          `*Objective*\n<${n.links.objective}|${n.objective.displayName}> (${
            Math.round(n.objective.target * 100000) / 1000
          }% over ${n.objective.windowLabel})`,
        ),
        mrkdwn(`*Tier*\n${n.tier.name} (${n.tier.severity})`),
        mrkdwn(
          `*Burn rates*\n${formatBurnRate(n.burnRates.long)} over ${
            n.tier.longWindow
          }, ${formatBurnRate(n.burnRates.short)} over ${
            n.tier.shortWindow
          } (threshold ${n.tier.threshold}×)`,
        ),
        mrkdwn(`*Budget remaining*\n${formatBudget(n.budgetRemaining)}`),
        mrkdwn(`*Status*\n${STATUS[n.event]}`),
      ],
    },
    ...(buttons.length ? [{ type: 'actions', elements: buttons }] : []),
    {
      type: 'context',
      elements: [mrkdwn(eventText(n).slice(0, 3000))],
    },
  ];
}

/** Slack's mrkdwn control characters, escaped in text other plugins wrote. */
const escapeMrkdwn = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An external alert's message: header, summary, facts (ten per section), status and its link. */
export function externalAlertBlocks(n: ExternalAlertNotification): Block[] {
  const facts = [
    { label: 'Severity', value: n.severity },
    { label: 'Status', value: STATUS[n.event] },
    ...externalFacts(n),
  ].map(f =>
    mrkdwn(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value) || '—'}`),
  );
  const sections: Block[] = [];
  for (let i = 0; i < facts.length; i += 10) {
    sections.push({ type: 'section', fields: facts.slice(i, i + 10) });
  }
  return [
    {
      type: 'header',
      text: { type: 'plain_text', text: n.title.slice(0, 150) },
    },
    ...(n.summary
      ? [
          {
            type: 'section',
            text: mrkdwn(escapeMrkdwn(n.summary).slice(0, 3000)),
          },
        ]
      : []),
    ...sections,
    ...(isAbsoluteUrl(n.link)
      ? [
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                text: plain('Open in the portal'),
                url: n.link,
                action_id: 'slo_link_0',
              },
            ],
          },
        ]
      : []),
    {
      type: 'context',
      elements: [mrkdwn(describeForSlack(n).summary.slice(0, 3000))],
    },
  ];
}

/** `describeAlert`, with the text other plugins wrote unable to turn into links or mentions. */
function describeForSlack(n: OpsAlertNotification) {
  const alert = describeAlert(n);
  return n.kind === 'external'
    ? {
        ...alert,
        title: escapeMrkdwn(alert.title),
        summary: escapeMrkdwn(alert.summary),
      }
    : alert;
}

/** The alert's message, of either kind. */
export function alertBlocks(n: OpsAlertNotification): Block[] {
  return n.kind === 'external' ? externalAlertBlocks(n) : slackAlertBlocks(n);
}

/**
 * The first request the Slack notifier sends: the alert's message for
 * `fired`, otherwise the reply in its thread (`threadTs`, a placeholder when
 * unknown), each with metadata naming the alert.
 */
export function renderSlackRequest(
  n: OpsAlertNotification,
  config: Pick<SlackConfig, 'channel'>,
  options: { threadTs?: string; idempotencyKey?: string } = {},
): RenderedRequest {
  const alert = describeForSlack(n);
  if (n.event === 'fired') {
    return {
      method: 'POST',
      path: '/chat.postMessage',
      body: {
        channel: config.channel,
        text: alert.title,
        blocks: alertBlocks(n),
        unfurl_links: false,
        metadata: {
          event_type: SLACK_ALERT_EVENT,
          event_payload: { alert_id: alert.key, dedup_key: n.dedupKey },
        },
      },
    };
  }
  return {
    method: 'POST',
    path: '/chat.postMessage',
    body: {
      channel: config.channel,
      thread_ts: options.threadTs ?? '{ts}',
      text: alert.summary,
      metadata: {
        event_type: SLACK_UPDATE_EVENT,
        event_payload: {
          alert_id: alert.key,
          delivery_key: options.idempotencyKey ?? '{idempotencyKey}',
        },
      },
    },
  };
}

/** Slack errors worth another try; any other `error` will not get better. */
const TRANSIENT = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

interface SlackMessage {
  ts: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** A Web API client: HTTP failures as `vendorClient`, then `{ok: false, error}` mapped. */
function slackClient(call: VendorCall) {
  return async (
    method: string,
    request: Omit<RenderedRequest, 'path'> & { query?: Record<string, string> },
  ): Promise<Record<string, unknown>> => {
    const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
    const response = await call(method, {
      method: request.method,
      path: `/${method}${query}`,
      body: request.body,
    });
    const body = (response.body ?? {}) as Record<string, unknown>;
    if (body.ok === true) {
      return body;
    }
    const code = typeof body.error === 'string' ? body.error : 'unknown_error';
    const error = `Slack ${method}: ${code.replace(/[^a-z0-9_]/gi, '')}`;
    if (TRANSIENT.has(code)) {
      throw new DeliveryFailure({
        outcome: 'retry',
        status: response.status,
        error,
        retryAfter: response.headers.get('retry-after') ?? undefined,
      });
    }
    throw permanent(error, response.status);
  };
}

type SlackApi = ReturnType<typeof slackClient>;

function findByMetadata(
  messages: unknown,
  eventType: string,
  key: string,
  value: string,
): SlackMessage | undefined {
  return ((messages ?? []) as SlackMessage[]).find(
    m =>
      m.metadata?.event_type === eventType &&
      m.metadata.event_payload?.[key] === value,
  );
}

/** The alert's message: the recorded link, else the recent message with its metadata. */
async function findAlertMessage(
  api: SlackApi,
  config: z.output<typeof slackConfigSchema>,
  context: NotifierContext,
  alertId: string,
): Promise<string | undefined> {
  const link = await context.links.get(alertId, context.name);
  if (link) {
    return link.externalId;
  }
  const history = await api('conversations.history', {
    method: 'GET',
    query: {
      channel: config.channel,
      limit: String(config.historyLimit),
      include_all_metadata: 'true',
    },
  });
  const message = findByMetadata(
    history.messages,
    SLACK_ALERT_EVENT,
    'alert_id',
    alertId,
  );
  if (message) {
    await recordLink(api, config, context, alertId, message.ts);
  }
  return message?.ts;
}

async function recordLink(
  api: SlackApi,
  config: z.output<typeof slackConfigSchema>,
  context: NotifierContext,
  alertId: string,
  ts: string,
) {
  let url: string | undefined;
  try {
    const found = await api('chat.getPermalink', {
      method: 'GET',
      query: { channel: config.channel, message_ts: ts },
    });
    url = typeof found.permalink === 'string' ? found.permalink : undefined;
  } catch {
    // The link works without its URL.
  }
  await context.links.put(alertId, {
    target: context.name,
    type: 'slack',
    externalId: ts,
    ...(url && { url }),
  });
}

/**
 * Slack Web API: one message per alert episode, carrying the alert id in
 * its metadata and looked up among the channel's recent messages before
 * posting so a retry never posts twice; later events update that message
 * and reply in its thread (each reply carries its delivery's idempotency key
 * in its metadata, looked up before replying).
 */
export const slackNotifier: NotifierFactory<SlackConfig> = (
  rawConfig,
  context,
) => {
  const config = slackConfigSchema.parse(rawConfig);
  const api = slackClient(
    vendorClient({
      vendor: 'Slack',
      baseUrl: config.url,
      headers: { authorization: `Bearer ${config.token}` },
      fetch: context.fetch,
      timeoutMs: context.timeoutMs,
    }),
  );

  return alertDeliverer(async (n, attempt): Promise<DeliveryResult> => {
    const alert = describeForSlack(n);
    const ts = await findAlertMessage(api, config, context, alert.key);
    if (n.event === 'fired') {
      if (!ts) {
        const { method, body } = renderSlackRequest(n, config);
        const posted = await api('chat.postMessage', { method, body });
        if (typeof posted.ts !== 'string') {
          throw permanent('Slack chat.postMessage: no ts in the answer');
        }
        await recordLink(api, config, context, alert.key, posted.ts);
      }
      return { outcome: 'delivered' };
    }
    if (!ts) {
      throw new DeliveryFailure({
        outcome: 'retry',
        error: `Slack: no message yet for the alert (${n.event})`,
      });
    }
    await api('chat.update', {
      method: 'POST',
      body: {
        channel: config.channel,
        ts,
        text: alert.title,
        blocks: alertBlocks(n),
      },
    });
    const replies = await api('conversations.replies', {
      method: 'GET',
      query: {
        channel: config.channel,
        ts,
        limit: '200',
        include_all_metadata: 'true',
      },
    });
    const replied = findByMetadata(
      replies.messages,
      SLACK_UPDATE_EVENT,
      'delivery_key',
      attempt.idempotencyKey,
    );
    if (!replied) {
      const { method, body } = renderSlackRequest(n, config, {
        threadTs: ts,
        idempotencyKey: attempt.idempotencyKey,
      });
      await api('chat.postMessage', { method, body });
    }
    return { outcome: 'delivered' };
  });
};
