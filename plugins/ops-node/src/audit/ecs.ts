/**
 * Ops audit events as Elastic Common Schema fields: the categorization of
 * every audit type and the mapping of one event. Shared by the chainer's
 * ECS log lines and the SIEM normalizer (security-node).
 *
 * | audit type                          | category        | type     | why |
 * |-------------------------------------|-----------------|----------|-----|
 * | request.received                    | database        | info     | a DSAR about personal data held in the data stores |
 * | request.state_changed, request.deadline_extended | database | change | the request moves on |
 * | export.created                      | database        | access   | personal data read out of the stores |
 * | subject.revealed                    | database        | access   | a request list or detail showed subject ids |
 * | erasure.verified                    | database        | change   | personal data erased from the stores |
 * | consent.changed                     | database        | change   | the consent ledger changes |
 * | export.downloaded                   | file            | access   | an export bundle is read |
 * | export.erased, export.purged        | file            | deletion | an export bundle is deleted |
 * | export.integrity_failed             | file            | info     | (outcome failure) |
 * | legal_hold.placed / released        | configuration   | creation / deletion | a hold that blocks erasure |
 * | exception.created / revoked         | configuration   | creation / deletion | a control exception |
 * | evidence.filed, binder.built, drill.evidence_filed | file | creation | a stored file |
 * | binder.requested                    | api             | creation | a build is asked for |
 * | alert.fired / alert.resolved        | api             | info     | no ECS category fits monitoring alerts |
 * | drill.started                       | process         | start    | a drill run is a process people follow |
 * | drill.finished, drill.aborted       | process         | end      | |
 * | drill.calendar_override             | configuration   | change   | |
 * | drill.* (other)                     | process         | change   | steps, notes, participants |
 * | rollback.completed                  | configuration   | change   | a deployment is changed back |
 * | scaffolder.action                   | process         | end      | an action ran (with its outcome) |
 * | anything else                       | api             | info     | |
 */
import {
  entityRefOfAuditData,
  serviceTargetOf,
  type EcsServiceTarget,
  type ServiceTargetFacts,
} from './serviceTargets';

export interface AuditCategorization {
  category: string[];
  type: string[];
}

const c = (category: string, type: string): AuditCategorization => ({
  category: [category],
  type: [type],
});

const EXACT: Record<string, AuditCategorization> = {
  'request.received': c('database', 'info'),
  'request.state_changed': c('database', 'change'),
  'request.deadline_extended': c('database', 'change'),
  'export.created': c('database', 'access'),
  'subject.revealed': c('database', 'access'),
  'erasure.verified': c('database', 'change'),
  'consent.changed': c('database', 'change'),
  'export.downloaded': c('file', 'access'),
  'export.erased': c('file', 'deletion'),
  'export.purged': c('file', 'deletion'),
  'export.integrity_failed': c('file', 'info'),
  'legal_hold.placed': c('configuration', 'creation'),
  'legal_hold.released': c('configuration', 'deletion'),
  'exception.created': c('configuration', 'creation'),
  'exception.revoked': c('configuration', 'deletion'),
  'evidence.filed': c('file', 'creation'),
  'binder.built': c('file', 'creation'),
  'binder.requested': c('api', 'creation'),
  'alert.fired': c('api', 'info'),
  'alert.resolved': c('api', 'info'),
  'drill.started': c('process', 'start'),
  'drill.finished': c('process', 'end'),
  'drill.aborted': c('process', 'end'),
  'drill.evidence_filed': c('file', 'creation'),
  'drill.calendar_override': c('configuration', 'change'),
  'rollback.completed': c('configuration', 'change'),
  'scaffolder.action': c('process', 'end'),
};

const BY_PREFIX: Record<string, AuditCategorization> = {
  request: c('database', 'change'),
  drill: c('process', 'change'),
};

const FALLBACK = c('api', 'info');

/** `event.category` and `event.type` of an audit type, from ECS's allowed values. */
export function categorizeOpsAudit(type: string): AuditCategorization {
  return EXACT[type] ?? BY_PREFIX[type.split('.')[0]] ?? FALLBACK;
}

/** All types with a fixed categorization, for tests and docs. */
export const CATEGORIZED_OPS_AUDIT_TYPES = Object.keys(EXACT);

/** The plugin that writes each audit type prefix (`service.name`). */
const SERVICES: Record<string, string> = {
  request: 'privacy',
  export: 'privacy',
  erasure: 'privacy',
  consent: 'privacy',
  legal_hold: 'privacy',
  subject: 'privacy',
  alert: 'slo',
  evidence: 'evidence',
  binder: 'evidence',
  exception: 'evidence',
  drill: 'drills',
  rollback: 'scaffolder',
  scaffolder: 'scaffolder',
};

export function serviceOfOpsAudit(type: string): string | undefined {
  return SERVICES[type.split('.')[0]];
}

/**
 * Admin-level ops actions: they change what the platform does or may do
 * (holds, control exceptions, rollbacks, deadlines, the drill calendar).
 * Marked `labels.ops_privileged: "true"` for the after-hours rule.
 */
const PRIVILEGED = new Set([
  'legal_hold.placed',
  'legal_hold.released',
  'exception.created',
  'exception.revoked',
  'rollback.completed',
  'request.deadline_extended',
  'drill.calendar_override',
]);

export const isPrivilegedOpsAudit = (type: string) => PRIVILEGED.has(type);

/** The privacy plugin's subject hash: HMAC-SHA256 as hex. */
const KEYED_HASH = /^[0-9a-f]{64}$/i;
/** A W3C trace id. */
const TRACE_ID = /^[0-9a-f]{32}$/i;

const str = (value: unknown) =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** `user:default/alice` → `alice`. */
const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** `success` or `failure`, from `data.outcome` or a type ending in `failed`. */
export function outcomeOfOpsAudit(
  type: string,
  data: Record<string, unknown>,
): 'success' | 'failure' {
  if (data.outcome === 'succeeded') return 'success';
  if (data.outcome === 'failed') return 'failure';
  return /failed$/.test(type) ? 'failure' : 'success';
}

/** An audit event as `auditEventToEcs` reads it (an `AuditEvent` fits). */
export interface AuditEventLike {
  type: string;
  actor: string;
  recordId?: string | null;
  at?: string | Date;
  data?: Record<string, unknown>;
  seq?: number;
  hash?: string;
}

/** The nested ECS fields of one audit event (no `@timestamp`, no `message`). */
export interface AuditEcsFields {
  event: {
    kind: 'event';
    category: string[];
    type: string[];
    action: string;
    outcome: 'success' | 'failure';
    created?: string;
    id?: string;
    sequence?: number;
    module: 'ops';
    dataset: 'ops.audit';
  };
  user: { id: string; name: string; target?: { id: string } };
  service?: { name: string; target?: EcsServiceTarget };
  labels?: {
    record_id?: string;
    ops_privileged?: 'true';
    service_target_owner?: string;
  };
  related: { user: string[] };
  trace?: { id: string };
}

/**
 * Maps one audit event to ECS. `event.action` is the type under its plugin
 * (`privacy.request.received`), so types of different plugins never collide.
 *
 * Of `data` only these are read: `outcome`, `entityRef` (the catalog entity
 * acted on, as `service.target`: its name and ref, and with `target` what
 * the catalog says of it: `type`, `environment` from its lifecycle and
 * `labels.service_target_owner`; users and groups are no service target),
 * `subjectHash` (the data subject,
 * already a keyed hash: `user.target.id` only when it is 64 hex digits) and
 * `traceId` (only when it is a 32-hex trace id). Nothing else of `data`
 * reaches the output, so a raw email or subject id never does.
 *
 * `service` names the plugin; without it, the plugin that writes the type.
 */
export function auditEventToEcs(
  event: AuditEventLike,
  options: { service?: string; target?: ServiceTargetFacts } = {},
): AuditEcsFields {
  const data = event.data ?? {};
  const service = options.service ?? serviceOfOpsAudit(event.type);
  const subjectHash = str(data.subjectHash);
  const entityRef = entityRefOfAuditData(data);
  const target = entityRef
    ? serviceTargetOf(entityRef, options.target)
    : undefined;
  const owner = target ? options.target?.owner : undefined;
  const traceId = str(data.traceId);
  const recordId = str(event.recordId);
  const privileged = isPrivilegedOpsAudit(event.type);
  const at = event.at === undefined ? undefined : new Date(event.at);
  return {
    event: {
      kind: 'event',
      ...categorizeOpsAudit(event.type),
      action: service ? `${service}.${event.type}` : event.type,
      outcome: outcomeOfOpsAudit(event.type, data),
      ...(at && !Number.isNaN(at.getTime())
        ? { created: at.toISOString() }
        : {}),
      ...(event.hash ? { id: event.hash } : {}),
      ...(event.seq !== undefined ? { sequence: event.seq } : {}),
      module: 'ops',
      dataset: 'ops.audit',
    },
    user: {
      id: event.actor,
      name: refName(event.actor),
      ...(subjectHash && KEYED_HASH.test(subjectHash)
        ? { target: { id: subjectHash.toLowerCase() } }
        : {}),
    },
    ...(service
      ? {
          service: {
            name: service,
            ...(target ? { target } : {}),
          },
        }
      : {}),
    ...(recordId || privileged || owner
      ? {
          labels: {
            ...(recordId ? { record_id: recordId } : {}),
            ...(privileged ? { ops_privileged: 'true' as const } : {}),
            ...(owner ? { service_target_owner: owner } : {}),
          },
        }
      : {}),
    related: { user: [event.actor] },
    ...(traceId && TRACE_ID.test(traceId)
      ? { trace: { id: traceId.toLowerCase() } }
      : {}),
  };
}
