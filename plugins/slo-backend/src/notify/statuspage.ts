import type { DeliveryResult } from '@internal/plugin-ops-node';
import type {
  OpsAlertNotification,
  SloAlertNotification,
} from '@internal/plugin-slo-common';
import { z } from 'zod';
import { eventText } from './describe';
import {
  alertDeliverer,
  DeliveryFailure,
  RenderedRequest,
  VendorCall,
  permanent,
  vendorClient,
} from './http';
import type { NotifierContext, NotifierFactory } from './types';

export const COMPONENT_STATUSES = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const;

export const statuspageConfigSchema = z
  .object({
    url: z.string().url().default('https://api.statuspage.io/v1'),
    /** An API key (secret). */
    apiKey: z.string().min(1),
    pageId: z.string().min(1),
    componentId: z.string().min(1),
    componentStatusWhenFiring: z
      .enum(COMPONENT_STATUSES)
      .default('degraded_performance'),
  })
  .strict();

export type StatuspageConfig = z.input<typeof statuspageConfigSchema>;

const INCIDENT_STATUS: Record<SloAlertNotification['event'], string> = {
  fired: 'investigating',
  acknowledged: 'identified',
  silenced: 'monitoring',
  resolved: 'resolved',
};

/** The line of the first update that marks the incident of one alert episode. */
export function statuspageAlertMarker(alertId: string): string {
  return `Reference: slo-alert-${alertId}`;
}

function incidentBody(n: SloAlertNotification): string {
  const text = eventText(n);
  return n.event === 'fired'
    ? `${text}\n\n${statuspageAlertMarker(n.alertId)}`
    : text;
}

/**
 * The notification as an SLO alert. An external alert (a security incident,
 * say) never goes to a public status page: start-up refuses to route one
 * here, and this second guard fails its delivery for good.
 */
function sloAlertOnly(n: OpsAlertNotification): SloAlertNotification {
  if (n.kind === 'external') {
    throw permanent(
      `Statuspage: alerts from other plugins (${n.source}) never go to a public status page`,
    );
  }
  return n;
}

/**
 * The first request the Statuspage notifier sends: the incident for `fired`,
 * otherwise the update of the alert's incident (`incidentId`, a placeholder
 * when unknown).
 */
export function renderStatuspageRequest(
  notification: OpsAlertNotification,
  config: StatuspageConfig,
  options: { incidentId?: string } = {},
): RenderedRequest {
  const n = sloAlertOnly(notification);
  const page = `/pages/${encodeURIComponent(config.pageId)}/incidents`;
  const componentStatus =
    n.event === 'resolved'
      ? 'operational'
      : config.componentStatusWhenFiring ?? 'degraded_performance';
  const incident = {
    status: INCIDENT_STATUS[n.event],
    body: incidentBody(n),
    component_ids: [config.componentId],
    components: { [config.componentId]: componentStatus },
  };
  if (n.event === 'fired') {
    return {
      method: 'POST',
      path: page,
      body: {
        incident: {
          name: `Degraded ${n.objective.service}: ${n.objective.displayName}`,
          ...incident,
        },
      },
    };
  }
  const id = options.incidentId
    ? encodeURIComponent(options.incidentId)
    : '{incidentId}';
  return { method: 'PATCH', path: `${page}/${id}`, body: { incident } };
}

interface Incident {
  id: string;
  status?: string;
  incident_updates?: Array<{ body?: string; status?: string }>;
}

async function findIncident(
  call: VendorCall,
  config: z.output<typeof statuspageConfigSchema>,
  context: NotifierContext,
  alertId: string,
): Promise<string | undefined> {
  const link = await context.links.get(alertId, context.name);
  if (link) {
    return link.externalId;
  }
  const unresolved = await call('unresolved incidents', {
    method: 'GET',
    path: `/pages/${encodeURIComponent(config.pageId)}/incidents/unresolved`,
  });
  const marker = statuspageAlertMarker(alertId);
  const incident = ((unresolved.body ?? []) as Incident[]).find(i =>
    (i.incident_updates ?? []).some(u => u.body?.includes(marker)),
  );
  if (incident) {
    await recordLink(context, alertId, incident.id);
  }
  return incident?.id;
}

async function recordLink(
  context: NotifierContext,
  alertId: string,
  incidentId: string,
) {
  await context.links.put(alertId, {
    target: context.name,
    type: 'statuspage',
    externalId: incidentId,
  });
}

/**
 * Atlassian Statuspage: an incident per alert episode on the configured
 * component, marked by a reference line in its first update and looked up
 * among the page's unresolved incidents before opening one; later events
 * update it (skipped when its status and latest update already say so,
 * which keeps a retry from adding a second update).
 */
export const statuspageNotifier: NotifierFactory<StatuspageConfig> = (
  rawConfig,
  context,
) => {
  const config = statuspageConfigSchema.parse(rawConfig);
  const call = vendorClient({
    vendor: 'Statuspage',
    baseUrl: config.url,
    headers: { authorization: `OAuth ${config.apiKey}` },
    fetch: context.fetch,
    timeoutMs: context.timeoutMs,
  });

  return alertDeliverer(async (notification): Promise<DeliveryResult> => {
    const n = sloAlertOnly(notification);
    const incidentId = await findIncident(call, config, context, n.alertId);
    if (n.event === 'fired') {
      if (incidentId) {
        return { outcome: 'delivered' };
      }
      const created = await call(
        'incident create',
        renderStatuspageRequest(n, config),
      );
      const id = (created.body as Partial<Incident> | undefined)?.id;
      if (typeof id !== 'string') {
        throw permanent('Statuspage incident create: no id in the answer');
      }
      await recordLink(context, n.alertId, id);
      return { outcome: 'delivered', status: created.status };
    }
    if (!incidentId) {
      throw new DeliveryFailure({
        outcome: 'retry',
        error: `Statuspage: no incident yet for the alert (${n.event})`,
      });
    }
    const request = renderStatuspageRequest(n, config, { incidentId });
    const current = await call('incident lookup', {
      method: 'GET',
      path: request.path,
    });
    const incident = current.body as Incident | undefined;
    const wanted = (
      request.body as { incident: { status: string; body: string } }
    ).incident;
    if (
      incident?.status === wanted.status &&
      incident.incident_updates?.[0]?.body === wanted.body
    ) {
      return { outcome: 'delivered' };
    }
    const updated = await call('incident update', request);
    return { outcome: 'delivered', status: updated.status };
  });
};
