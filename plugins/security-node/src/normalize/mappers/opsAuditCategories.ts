/**
 * ECS categorization of the ops audit event types (`event.action`). Each
 * type is in its category's expected `event.type` values (checked by test).
 *
 * | audit type                          | category        | type     | why |
 * |-------------------------------------|-----------------|----------|-----|
 * | request.received                    | database        | info     | a DSAR about personal data held in the data stores |
 * | request.state_changed, request.deadline_extended | database | change | the request moves on |
 * | export.created                      | database        | access   | personal data read out of the stores |
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
export interface Categorization {
  category: string[];
  type: string[];
}

const c = (category: string, type: string): Categorization => ({
  category: [category],
  type: [type],
});

const EXACT: Record<string, Categorization> = {
  'request.received': c('database', 'info'),
  'request.state_changed': c('database', 'change'),
  'request.deadline_extended': c('database', 'change'),
  'export.created': c('database', 'access'),
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

const BY_PREFIX: Record<string, Categorization> = {
  request: c('database', 'change'),
  drill: c('process', 'change'),
};

const FALLBACK = c('api', 'info');

export function categorizeOpsAudit(type: string): Categorization {
  return EXACT[type] ?? BY_PREFIX[type.split('.')[0]] ?? FALLBACK;
}

/** The plugin that writes each audit type prefix (`service.name`). */
const SERVICES: Record<string, string> = {
  request: 'privacy',
  export: 'privacy',
  erasure: 'privacy',
  consent: 'privacy',
  legal_hold: 'privacy',
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

/** All types with a fixed categorization, for tests and docs. */
export const CATEGORIZED_OPS_AUDIT_TYPES = Object.keys(EXACT);

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
