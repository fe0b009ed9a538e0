import {
  serviceTargetOf,
  type EcsServiceTarget,
} from '../audit/serviceTargets';
import { redactUrl } from './redactUrl';

/**
 * Backstage auditor events (backend-defaults' auditor service) as Elastic
 * Common Schema fields. The one mapping of those events: the root logger's
 * ECS mode writes auditor lines with it, and the SIEM normalizer
 * (security-node) maps logged auditor lines with it.
 *
 * | auditor field          | ECS field                                            |
 * | ---------------------- | ---------------------------------------------------- |
 * | `plugin`, `eventId`    | `event.action` = `plugin.eventId`, `event.provider` = plugin |
 * | plugin, eventId, `meta.actionType` | `event.category` / `event.type` (see `auditorCategorization`) |
 * | `status`               | `event.outcome`: succeeded → success, failed → failure, else unknown |
 * | `severityLevel`        | `event.severity`: low 1, medium 2, high 3, critical 4 |
 * | `actor.actorId`        | `user.id`, `user.name` (the ref's name)              |
 * | `actor.ip`             | `source.ip`, `client.ip`                             |
 * | `actor.userAgent`      | `user_agent.original`                                |
 * | `request.url`          | `url.path`, `url.original`: the path only (queries may hold tokens) |
 * | `request.method`       | `http.request.method` (upper case)                   |
 * | `error.message`        | `error.message`                                      |
 * | `meta.entityRef`       | `service.target.name`, `.id`: a component, resource, API or system only |
 *
 * Always `event.kind: event`, `event.module: backstage`,
 * `event.dataset: backstage.auditor`. `meta` is never copied (it may name
 * people); only `meta.actionType` and a service-like `meta.entityRef` (the
 * catalog entity fetched or changed; never a user or group) are read.
 * `actor.hostname` is dropped.
 */

/** An auditor event as logged: every field untrusted. */
export type AuditorEventLike = Record<string, unknown>;

/** The nested ECS fields of one auditor event (no `@timestamp`, `log`, `service`). */
export interface AuditorEcsFields {
  event: {
    kind: 'event';
    category: string[];
    type: string[];
    action: string;
    provider?: string;
    module: 'backstage';
    dataset: 'backstage.auditor';
    outcome: 'success' | 'failure' | 'unknown';
    severity?: number;
  };
  user?: { id: string; name: string };
  source?: { ip: string };
  client?: { ip: string };
  user_agent?: { original: string };
  url?: { path: string; original: string };
  http?: { request: { method: string } };
  error?: { message: string };
  service?: { target: EcsServiceTarget };
}

/** The keys an auditor event adds to a log line (besides `plugin`). */
export const AUDITOR_EVENT_KEYS = [
  'isAuditEvent',
  'eventId',
  'severityLevel',
  'actor',
  'request',
  'meta',
  'status',
  'error',
] as const;

const SEVERITY: Record<string, number> = {
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

const OUTCOME: Record<string, 'success' | 'failure' | 'unknown'> = {
  succeeded: 'success',
  failed: 'failure',
  initiated: 'unknown',
};

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const obj = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** `table[key]` for a string key the table has (never an inherited property). */
function lookup<T>(table: Record<string, T>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key)
    ? table[key]
    : undefined;
}

/** `user:default/jane` → `jane`; `jane` stays. */
function refName(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':');
  return ref.slice(Math.max(slash, colon) + 1) || ref;
}

/** Whether a logged object is a Backstage auditor event. */
export function isAuditorEvent(line: Record<string, unknown>): boolean {
  return (
    line.isAuditEvent === true ||
    (typeof line.eventId === 'string' && typeof line.severityLevel === 'string')
  );
}

/**
 * `event.category`/`event.type` of an auditor event: the auth plugin's are
 * authentication events; every other plugin's are API calls, typed by the
 * verb in the event id (`entity-fetch`, `location-mutate`) or `meta.actionType`.
 */
export function auditorCategorization(
  plugin: string | undefined,
  eventId: string,
  actionType: string | undefined,
): { category: string[]; type: string[] } {
  if (plugin === 'auth') {
    return {
      category: ['authentication'],
      type: [/revoke|logout|sign-?out/.test(eventId) ? 'end' : 'info'],
    };
  }
  const verb = actionType ?? eventId;
  let type = 'info';
  if (/create/.test(verb)) type = 'creation';
  else if (/delete|remove/.test(verb)) type = 'deletion';
  else if (/mutate|update|cancel|retry/.test(verb)) type = 'change';
  else if (/fetch|get|list|stream|facets|analyze|validate|schema/.test(verb)) {
    type = 'access';
  }
  return { category: ['api'], type: [type] };
}

/**
 * The ECS fields of one logged auditor event (`plugin`, `eventId`,
 * `severityLevel`, `actor`, `request`, `meta`, `status`, `error`). Pure;
 * groups with nothing in them are left out, keys in a fixed order.
 */
export function auditorEventToEcs(line: AuditorEventLike): AuditorEcsFields {
  const plugin = str(line.plugin);
  const eventId = str(line.eventId) ?? 'unknown';
  const actor = obj(line.actor) ?? {};
  const request = obj(line.request) ?? {};
  const actorId = str(actor.actorId);
  const ip = str(actor.ip);
  const url = str(request.url);
  const path = url !== undefined ? redactUrl(url).path : undefined;
  const method = str(request.method)?.toUpperCase();
  const userAgent = str(actor.userAgent);
  const errorMessage = str(obj(line.error)?.message) ?? str(line.error);
  const severity = lookup(SEVERITY, line.severityLevel);
  const entityRef = str(obj(line.meta)?.entityRef);
  const target = entityRef ? serviceTargetOf(entityRef) : undefined;

  const fields: AuditorEcsFields = {
    event: {
      kind: 'event',
      ...auditorCategorization(
        plugin,
        eventId,
        str(obj(line.meta)?.actionType),
      ),
      action: plugin ? `${plugin}.${eventId}` : eventId,
      ...(plugin ? { provider: plugin } : {}),
      module: 'backstage',
      dataset: 'backstage.auditor',
      outcome: lookup(OUTCOME, line.status) ?? 'unknown',
      ...(severity !== undefined ? { severity } : {}),
    },
  };
  if (actorId) fields.user = { id: actorId, name: refName(actorId) };
  if (ip) {
    fields.source = { ip };
    fields.client = { ip };
  }
  if (userAgent) fields.user_agent = { original: userAgent };
  if (path !== undefined) fields.url = { path, original: path };
  if (method !== undefined) fields.http = { request: { method } };
  if (errorMessage) fields.error = { message: errorMessage };
  if (target) fields.service = { target };
  return fields;
}
