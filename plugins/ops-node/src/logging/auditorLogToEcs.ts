import { format } from 'winston';
import {
  AUDITOR_EVENT_KEYS,
  auditorEventToEcs,
  isAuditorEvent,
} from './auditorEventToEcs';

/**
 * Turns a Backstage auditor line (backend-defaults' auditor service logs
 * `isAuditEvent`, `eventId`, `severityLevel`, `actor`, `request`, `meta`,
 * `status` through the plugin's logger) into the ECS fields of
 * `auditorEventToEcs`, and removes those raw keys: `meta` never reaches the
 * line. `plugin` stays for `backstageMetaToEcs` (→ `log.logger`). A failed
 * event's error, logged as the second argument, is left to `ecsFields()`
 * (`error.*`). Other lines pass unchanged. Place it before `ecsFields()`.
 */
export const auditorLogToEcs = format(info => {
  if (!isAuditorEvent(info)) return info;
  const fields = auditorEventToEcs(info);
  for (const key of AUDITOR_EVENT_KEYS) delete info[key];
  Object.assign(info, fields);
  return info;
});
