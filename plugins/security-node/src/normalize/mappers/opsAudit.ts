import {
  defined,
  ecsDocument,
  isoTime,
  num,
  obj,
  refName,
  str,
} from '../fields';
import type { EcsDocument } from '../../correlation/types';
import type { JsonObject, Mapper, NormalizeOptions } from '../types';
import {
  categorizeOpsAudit,
  isPrivilegedOpsAudit,
  serviceOfOpsAudit,
  serviceTargetOf,
} from '@internal/plugin-ops-node';

/** The privacy plugin's subject hash: HMAC-SHA256 as hex. */
const KEYED_HASH = /^[0-9a-f]{64}$/i;

/** A W3C trace id. */
const TRACE_ID = /^[0-9a-f]{32}$/i;

/** `data.traceId`, read as ops-node's `auditEventToEcs` reads it: only a 32-hex trace id. */
function traceIdOf(data: JsonObject): string | undefined {
  const traceId = str(data.traceId);
  return traceId && TRACE_ID.test(traceId) ? traceId.toLowerCase() : undefined;
}

function outcomeOf(type: string, data: JsonObject): string {
  if (data.outcome === 'succeeded') return 'success';
  if (data.outcome === 'failed') return 'failure';
  return /failed$/.test(type) ? 'failure' : 'success';
}

/** What an ops audit document is made of (from an audit event or its ECS line). */
export interface OpsAuditParts {
  timestamp: string | undefined;
  type: string;
  actor?: string;
  outcome: string;
  /** Read only when it is a 64-hex keyed hash. */
  subjectHash?: string;
  /** The catalog entity acted on; `service.target` unless `serviceTarget` says more. */
  entityRef?: string;
  /** `service.target` as an ECS line already gave it (with the catalog's facts). */
  serviceTarget?: JsonObject;
  /** `labels.service_target_owner`. */
  targetOwner?: string;
  ip?: string;
  service?: string;
  userAgent?: string;
  traceId?: string;
  hash?: string;
  seq?: number;
  recordId?: string;
}

/** The ECS document of one ops audit event. */
export function opsAuditDocument(parts: OpsAuditParts): EcsDocument {
  const { type, actor, subjectHash, entityRef, ip, service } = parts;
  const { userAgent, traceId } = parts;
  return ecsDocument(parts.timestamp, {
    event: defined({
      kind: 'event',
      ...categorizeOpsAudit(type),
      action: service ? `${service}.${type}` : type,
      outcome: parts.outcome,
      id: parts.hash,
      sequence: parts.seq,
      module: 'ops',
      dataset: 'ops.audit',
    }),
    user: defined({
      id: actor,
      name: actor ? refName(actor) : undefined,
      target:
        subjectHash && KEYED_HASH.test(subjectHash)
          ? { id: subjectHash.toLowerCase() }
          : undefined,
    }),
    source: ip ? { ip } : undefined,
    client: ip ? { ip } : undefined,
    user_agent: userAgent ? { original: userAgent } : undefined,
    service: defined({
      name: service,
      target:
        parts.serviceTarget ??
        (entityRef ? serviceTargetOf(entityRef) : undefined),
    }),
    labels: defined({
      record_id: parts.recordId,
      ops_privileged: isPrivilegedOpsAudit(type) ? 'true' : undefined,
      service_target_owner: parts.targetOwner,
    }),
    trace: traceId ? { id: traceId } : undefined,
  });
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
 * acted on), `subjectHash` (the data subject, already a keyed hash; any
 * other subject field is ignored, so a raw id never reaches the output) and
 * `traceId` (only a 32-hex trace id, when the line has none of its own).
 */
export const opsAudit: Mapper = {
  name: 'ops.audit',
  matches: line =>
    typeof line.type === 'string' &&
    typeof line.actor === 'string' &&
    line.at !== undefined &&
    ('recordId' in line || obj(line.data) !== undefined),
  map(line, options: NormalizeOptions) {
    const type = str(line.type) ?? 'unknown';
    const data = obj(line.data) ?? {};
    return opsAuditDocument({
      timestamp: isoTime(line.at),
      type,
      actor: str(line.actor),
      outcome: outcomeOf(type, data),
      subjectHash: str(data.subjectHash),
      entityRef: str(data.entityRef),
      ip: str(line.sourceIp) ?? str(line.ip),
      service:
        str(line.service) ??
        str(line.plugin) ??
        serviceOfOpsAudit(type) ??
        options.serviceName,
      userAgent: str(line.userAgent),
      traceId: str(line.traceId) ?? str(line.trace_id) ?? traceIdOf(data),
      hash: str(line.hash),
      seq: num(line.seq),
      recordId: str(line.recordId),
    });
  },
};

/**
 * The same document from the ECS fields `auditEventToEcs` (ops-node) logs
 * for an event (the AuditChainer's `audit <type>` lines, in ECS or JSON
 * mode; `doc` nested): `@timestamp` is the event's `event.created`, the
 * type `event.action` without its `service.name.` prefix. `related` and
 * the log line's own fields are not kept.
 */
export function opsAuditFromEcs(
  doc: JsonObject,
  logTimestamp: unknown,
): EcsDocument {
  const event = obj(doc.event) ?? {};
  const user = obj(doc.user) ?? {};
  const service = str(obj(doc.service)?.name);
  const action = str(event.action) ?? 'unknown';
  const type =
    service && action.startsWith(`${service}.`)
      ? action.slice(service.length + 1)
      : action;
  return opsAuditDocument({
    timestamp: isoTime(event.created) ?? isoTime(logTimestamp),
    type,
    actor: str(user.id),
    outcome: str(event.outcome) ?? outcomeOf(type, {}),
    subjectHash: str(obj(user.target)?.id),
    serviceTarget: serviceTargetFromEcs(obj(obj(doc.service)?.target)),
    targetOwner: str(obj(doc.labels)?.service_target_owner),
    ip: str(obj(doc.source)?.ip) ?? str(obj(doc.client)?.ip),
    service,
    userAgent: str(obj(doc.user_agent)?.original),
    traceId: str(obj(doc.trace)?.id),
    hash: str(event.id),
    seq: num(event.sequence),
    recordId: str(obj(doc.labels)?.record_id),
  });
}

/** `service.target` of an ECS line, its four fields only. */
function serviceTargetFromEcs(
  target: JsonObject | undefined,
): JsonObject | undefined {
  if (!str(target?.name)) return undefined;
  return defined({
    name: str(target?.name),
    id: str(target?.id),
    type: str(target?.type),
    environment: str(target?.environment),
  });
}

/** Whether a (nested) line carries an ops audit event's ECS fields. */
export const isOpsAuditEcs = (doc: JsonObject) =>
  obj(doc.event)?.dataset === 'ops.audit';

/**
 * The AuditChainer's lines in Backstage's JSON format (`level`, `message`,
 * `timestamp` and the nested ECS fields of the event): the same document as
 * the event itself gives. In ECS format the `ecs` mapper reads them.
 */
export const opsAuditLog: Mapper = {
  name: 'ops.audit.log',
  matches: line => typeof line.level === 'string' && isOpsAuditEcs(line),
  map: line => opsAuditFromEcs(line, line.timestamp),
};
