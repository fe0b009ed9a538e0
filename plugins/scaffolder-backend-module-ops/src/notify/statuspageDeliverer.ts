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
import type { StatuspageNotifyConfig } from './notifyConfig';
import type { NotifyHttpOptions } from './slackDeliverer';

export const INCIDENT_STATUSES = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The incident's metadata namespace holding `ops:notify`'s keys. */
export const STATUSPAGE_METADATA = 'ops_notify';

/** The payload of a delivery to the `statuspage` target. */
export const statuspagePayloadSchema = z.object({
  /** Names the incident: notifications with the same key update one incident. */
  incidentKey: z.string().min(1).max(200),
  /** The incident's name when it is created. */
  title: z.string().min(1).max(255),
  status: z.enum(INCIDENT_STATUSES),
  message: z.string().min(1).max(3000),
  componentId: z.string().min(1).optional(),
  /** When the notification was enqueued (ISO 8601): an older one never overwrites a newer one. */
  at: z.string().datetime(),
});
export type StatuspagePayload = z.infer<typeof statuspagePayloadSchema>;

/** The component's status while the incident has a given status. */
export function componentStatusFor(status: IncidentStatus): string {
  return status === 'resolved' ? 'operational' : 'degraded_performance';
}

interface Incident {
  id?: unknown;
  metadata?: {
    [STATUSPAGE_METADATA]?: {
      incident_key?: unknown;
      delivery_key?: unknown;
      at?: unknown;
    };
  };
}

/** Runs tasks of one key one after the other (per process). */
function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(task);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    tail.then(() => tails.get(key) === tail && tails.delete(key));
    return result;
  };
}

async function findIncident(
  call: JsonCall,
  incidents: string,
  incidentKey: string,
): Promise<Incident | undefined> {
  // Unresolved ones first; then the page's recent incidents, so that a
  // repeated "resolved" (no longer unresolved) still finds its incident.
  for (const [operation, path] of [
    ['unresolved incidents', `${incidents}/unresolved`],
    ['incidents', `${incidents}?limit=100`],
  ]) {
    const { body } = await call(operation, { method: 'GET', path });
    const found = (Array.isArray(body) ? (body as Incident[]) : []).find(
      i => i.metadata?.[STATUSPAGE_METADATA]?.incident_key === incidentKey,
    );
    if (found) return found;
  }
  return undefined;
}

/**
 * Atlassian Statuspage (REST v1, `Authorization: OAuth <key>`): one incident
 * per `incidentKey`, marked in the incident's metadata
 * (`ops_notify.incident_key`). Each attempt first looks the key up among the
 * page's unresolved, then recent, incidents: found, the incident is updated
 * (PATCH: status, body, component status) unless its metadata shows this
 * delivery (`delivery_key`) or a newer one (`at`) was applied already;
 * otherwise it is created. The component, when given, is set to
 * `degraded_performance`, or `operational` once resolved. Deliveries of one
 * incident run one at a time in a process.
 */
export function statuspageDeliverer(
  config: StatuspageNotifyConfig,
  options: NotifyHttpOptions = {},
): OutboxDeliverer {
  const call = jsonClient({
    vendor: 'Statuspage',
    baseUrl: config.url,
    headers: { authorization: `OAuth ${config.apiKey}` },
    ...options,
  });
  const incidents = `/pages/${encodeURIComponent(config.pageId)}/incidents`;
  const queue = keyedQueue();

  const apply = async (
    p: StatuspagePayload,
    deliveryKey: string,
  ): Promise<DeliveryResult> => {
    const found = await findIncident(call, incidents, p.incidentKey);
    const marks = found?.metadata?.[STATUSPAGE_METADATA];
    if (
      marks?.delivery_key === deliveryKey ||
      (typeof marks?.at === 'string' && marks.at > p.at)
    ) {
      return { outcome: 'delivered' };
    }
    const incident = {
      status: p.status,
      body: p.message,
      ...(p.componentId && {
        component_ids: [p.componentId],
        components: { [p.componentId]: componentStatusFor(p.status) },
      }),
      metadata: {
        [STATUSPAGE_METADATA]: {
          incident_key: p.incidentKey,
          delivery_key: deliveryKey,
          at: p.at,
        },
      },
    };
    if (found) {
      if (typeof found.id !== 'string') {
        throw new DeliveryFailure({
          outcome: 'permanent',
          error: 'Statuspage incidents: an incident without an id',
        });
      }
      const updated = await call('incident update', {
        method: 'PATCH',
        path: `${incidents}/${encodeURIComponent(found.id)}`,
        body: { incident },
      });
      return { outcome: 'delivered', status: updated.status };
    }
    const created = await call('incident create', {
      method: 'POST',
      path: incidents,
      body: { incident: { name: p.title, ...incident } },
    });
    return { outcome: 'delivered', status: created.status };
  };

  return {
    deliver: (attempt: DeliveryAttempt) =>
      settle(async () => {
        const payload = readPayload(
          'Statuspage',
          statuspagePayloadSchema,
          attempt.payload,
        );
        return queue(payload.incidentKey, () =>
          apply(payload, attempt.idempotencyKey),
        );
      }),
  };
}
