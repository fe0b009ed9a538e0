import { ecsDocument, isoTime, num, obj, refName, str } from '../fields';
import type { JsonObject, Mapper } from '../types';
import {
  categorizeOpsAudit,
  isPrivilegedOpsAudit,
  serviceOfOpsAudit,
} from '@internal/plugin-ops-node';

/** The privacy plugin's subject hash: HMAC-SHA256 as hex. */
const KEYED_HASH = /^[0-9a-f]{64}$/i;

function outcomeOf(type: string, data: JsonObject): string {
  if (data.outcome === 'succeeded') return 'success';
  if (data.outcome === 'failed') return 'failure';
  return /failed$/.test(type) ? 'failure' : 'success';
}

/**
 * `event.action` is the audit type under its plugin (`privacy.request.received`),
 * so types of different plugins never collide.
 *
 * Ops audit events, as `AuditEntry` (`recordId`, `type`, `actor`, `data`,
 * `at`) or chained `AuditEvent` (with `seq` and `hash`), optionally with the
 * live pipeline's `service`, `sourceIp`, `userAgent` and `traceId`.
 *
 * Of `data` only these are read: `outcome`, `entityRef` (the catalog entity
 * acted on) and `subjectHash` (the data subject, already a keyed hash; any
 * other subject field is ignored, so a raw id never reaches the output).
 */
export const opsAudit: Mapper = {
  name: 'ops.audit',
  matches: line =>
    typeof line.type === 'string' &&
    typeof line.actor === 'string' &&
    line.at !== undefined &&
    ('recordId' in line || obj(line.data) !== undefined),
  map(line, options) {
    const type = str(line.type) ?? 'unknown';
    const actor = str(line.actor);
    const data = obj(line.data) ?? {};
    const subjectHash = str(data.subjectHash);
    const entityRef = str(data.entityRef);
    const ip = str(line.sourceIp) ?? str(line.ip);
    const service =
      str(line.service) ??
      str(line.plugin) ??
      serviceOfOpsAudit(type) ??
      options.serviceName;
    return ecsDocument(isoTime(line.at), {
      event: {
        kind: 'event',
        ...categorizeOpsAudit(type),
        action: service ? `${service}.${type}` : type,
        outcome: outcomeOf(type, data),
        id: str(line.hash),
        sequence: num(line.seq),
        module: 'ops',
        dataset: 'ops.audit',
      },
      user: {
        id: actor,
        name: actor ? refName(actor) : undefined,
        target:
          subjectHash && KEYED_HASH.test(subjectHash)
            ? { id: subjectHash.toLowerCase() }
            : undefined,
      },
      source: { ip },
      client: { ip },
      user_agent: { original: str(line.userAgent) },
      service: {
        name: service,
        target: entityRef ? { name: refName(entityRef) } : undefined,
      },
      labels: {
        record_id: str(line.recordId),
        ops_privileged: isPrivilegedOpsAudit(type) ? 'true' : undefined,
      },
      trace: { id: str(line.traceId) ?? str(line.trace_id) },
    });
  },
};
