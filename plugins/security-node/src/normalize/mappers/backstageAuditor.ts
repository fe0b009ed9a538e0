import {
  auditorCategorization,
  auditorEventToEcs,
  isAuditorEvent,
} from '@internal/plugin-ops-node';
import { defined, ecsDocument, isoTime, str, traceFields } from '../fields';
import type { Mapper } from '../types';

export { auditorCategorization };

/**
 * Backstage auditor events as the winston root auditor prints them:
 * `isAuditEvent`, `plugin`, `eventId`, `severityLevel`, `actor`
 * (`actorId`, `ip`, `hostname`, `userAgent`), `request` (`url`, `method`),
 * `meta` and `status`. The mapping is ops-node's `auditorEventToEcs` (the
 * one the root logger's ECS mode writes); `meta` is not copied: it may name
 * people.
 */
export const backstageAuditor: Mapper = {
  name: 'backstage.auditor',
  matches: isAuditorEvent,
  map(line, options) {
    const fields = auditorEventToEcs(line);
    return ecsDocument(isoTime(line.timestamp), {
      event: fields.event,
      log: defined({ level: str(line.level) }),
      user: fields.user,
      source: fields.source,
      client: fields.client,
      user_agent: fields.user_agent,
      url: fields.url,
      http: fields.http,
      error: fields.error,
      service: {
        name: options.serviceName ?? str(line.service) ?? 'backstage',
      },
      ...traceFields(line),
    });
  },
};
