import {
  ecsDocument,
  isoTime,
  obj,
  pathOnly,
  refName,
  str,
  traceFields,
} from '../fields';
import type { Mapper } from '../types';

const SEVERITY: Record<string, number> = {
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

const OUTCOME: Record<string, string> = {
  succeeded: 'success',
  failed: 'failure',
  initiated: 'unknown',
};

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
 * Backstage auditor events as the winston root auditor prints them:
 * `isAuditEvent`, `plugin`, `eventId`, `severityLevel`, `actor`
 * (`actorId`, `ip`, `hostname`, `userAgent`), `request` (`url`, `method`),
 * `meta` and `status`. `meta` is not copied: it may name people.
 */
export const backstageAuditor: Mapper = {
  name: 'backstage.auditor',
  matches: line =>
    line.isAuditEvent === true ||
    (typeof line.eventId === 'string' &&
      typeof line.severityLevel === 'string'),
  map(line, options) {
    const plugin = str(line.plugin);
    const eventId = str(line.eventId) ?? 'unknown';
    const actor = obj(line.actor) ?? {};
    const request = obj(line.request) ?? {};
    const meta = obj(line.meta) ?? {};
    const actorId = str(actor.actorId);
    const ip = str(actor.ip);
    const url = str(request.url);
    const error = line.error;
    return ecsDocument(isoTime(line.timestamp), {
      event: {
        kind: 'event',
        ...auditorCategorization(plugin, eventId, str(meta.actionType)),
        action: plugin ? `${plugin}.${eventId}` : eventId,
        provider: plugin,
        module: 'backstage',
        dataset: 'backstage.auditor',
        outcome: OUTCOME[str(line.status) ?? ''] ?? 'unknown',
        severity: SEVERITY[str(line.severityLevel) ?? ''],
      },
      log: { level: str(line.level) },
      user: actorId ? { id: actorId, name: refName(actorId) } : undefined,
      source: { ip },
      client: { ip },
      user_agent: { original: str(actor.userAgent) },
      url: url ? { path: pathOnly(url), original: pathOnly(url) } : undefined,
      http: { request: { method: str(request.method)?.toUpperCase() } },
      error: error
        ? { message: str(obj(error)?.message) ?? str(error) }
        : undefined,
      service: {
        name: options.serviceName ?? str(line.service) ?? 'backstage',
      },
      ...traceFields(line),
    });
  },
};
