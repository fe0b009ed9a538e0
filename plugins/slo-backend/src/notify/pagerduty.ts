import type {
  ExternalAlertNotification,
  OpsAlertNotification,
} from '@internal/plugin-slo-common';
import { z } from 'zod';
import { describeAlert, isAbsoluteUrl } from './describe';
import {
  RenderedRequest,
  readNotification,
  settle,
  vendorClient,
} from './http';
import type { NotifierFactory } from './types';

export const pagerDutyConfigSchema = z
  .object({
    /** The integration's routing key (secret). */
    routingKey: z.string().min(1),
    /** Default `https://events.pagerduty.com`. */
    url: z.string().url().default('https://events.pagerduty.com'),
  })
  .strict();

export type PagerDutyConfig = z.input<typeof pagerDutyConfigSchema>;

const ACTIONS: Record<
  OpsAlertNotification['event'],
  'trigger' | 'acknowledge' | 'resolve'
> = {
  fired: 'trigger',
  resolved: 'resolve',
  acknowledged: 'acknowledge',
  silenced: 'acknowledge',
};

/** The event's `payload` and `links` for an external alert. */
function externalEvent(n: ExternalAlertNotification) {
  const title = describeAlert(n).title;
  return {
    payload: {
      summary: title.slice(0, 1024),
      source: n.service || n.source,
      severity: n.severity === 'page' ? 'critical' : 'warning',
      timestamp: n.at,
      ...(n.service && { component: n.service }),
      group: n.source,
      class: `${n.source}-alert`,
      custom_details: {
        ...n.fields,
        alert_id: n.alertId,
        source: n.source,
        event: n.event,
        summary: n.summary,
        ...(n.entityRef && { entity: n.entityRef }),
      },
    },
    links: isAbsoluteUrl(n.link) ? [{ href: n.link, text: 'Alert' }] : [],
  };
}

/**
 * The Events API v2 event for a notification. PagerDuty dedups on
 * `dedup_key` (the alert's `dedupKey`: for an SLO alert the same for every
 * episode of an objective tier, for an external one `<source>:<alertId>`),
 * so sending it again is harmless.
 */
export function renderPagerDutyRequest(
  n: OpsAlertNotification,
  config: Pick<PagerDutyConfig, 'routingKey'>,
): RenderedRequest {
  if (n.kind === 'external') {
    return {
      method: 'POST',
      path: '/v2/enqueue',
      body: {
        routing_key: config.routingKey,
        event_action: ACTIONS[n.event],
        dedup_key: n.dedupKey.slice(0, 255),
        ...externalEvent(n),
      },
    };
  }
  const links = [
    { href: n.links.objective, text: 'SLO objective' },
    ...(n.links.runbook ? [{ href: n.links.runbook, text: 'Runbook' }] : []),
    ...(n.links.rollback
      ? [{ href: n.links.rollback, text: 'Roll back' }]
      : []),
  ];
  return {
    method: 'POST',
    path: '/v2/enqueue',
    body: {
      routing_key: config.routingKey,
      event_action: ACTIONS[n.event],
      dedup_key: n.dedupKey.slice(0, 255),
      payload: {
        summary: describeAlert(n).title.slice(0, 1024),
        source: n.objective.service,
        severity: n.tier.severity === 'page' ? 'critical' : 'warning',
        timestamp: n.at,
        component: n.objective.displayName,
        group: n.objective.owner ?? n.objective.service,
        class: `slo-${n.tier.name}`,
        custom_details: {
          alert_id: n.alertId,
          event: n.event,
          objective: n.objective.id,
          target: n.objective.target,
          window: n.objective.windowLabel,
          tier: n.tier.name,
          threshold: n.tier.threshold,
          burn_rate_long: n.burnRates.long,
          burn_rate_short: n.burnRates.short,
          budget_remaining: n.budgetRemaining,
          ...(n.actor && { actor: n.actor }),
        },
      },
      links,
    },
  };
}

/** Sends each notification as a PagerDuty Events API v2 event (202 accepted). */
export const pagerDutyNotifier: NotifierFactory<PagerDutyConfig> = (
  rawConfig,
  context,
) => {
  const config = pagerDutyConfigSchema.parse(rawConfig);
  const call = vendorClient({
    vendor: 'PagerDuty',
    baseUrl: config.url,
    headers: {},
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });
  return {
    deliver: attempt =>
      settle(async () => {
        const n = readNotification(attempt.payload);
        const response = await call(
          `${ACTIONS[n.event]} event`,
          renderPagerDutyRequest(n, config),
        );
        if (n.event === 'fired') {
          await context.links.put(describeAlert(n).key, {
            target: context.name,
            type: 'pagerduty',
            externalId: n.dedupKey,
          });
        }
        return { outcome: 'delivered', status: response.status };
      }),
  };
};
