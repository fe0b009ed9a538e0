import type { LogTapEntry } from '@internal/plugin-ops-node';
import {
  normalizeRecord,
  type EcsDocument,
  type ProblemKind,
} from '@internal/plugin-security-node';

/** The kinds of log entries the rules can use; everything else is skipped. */
export type LiveEntryKind = 'access' | 'auditor' | 'opsAudit';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Which security-relevant kind a log entry is, cheaply (it runs in the
 * logger's call for every line): HTTP access lines, Backstage auditor
 * events, and ops audit events as the AuditChainer logs them (ECS fields,
 * `event.dataset: ops.audit`). Undefined for everything else.
 */
export function liveEntryKind(entry: LogTapEntry): LiveEntryKind | undefined {
  if (entry.type === 'incomingRequest') return 'access';
  if (entry.isAuditEvent === true) return 'auditor';
  const event = entry.event;
  if (isObject(event) && event.dataset === 'ops.audit') return 'opsAudit';
  return undefined;
}

/** A reason an entry gave no event, for the pipeline's `skipped` counters. */
export type LiveProblem = ProblemKind;

/**
 * One tap entry → one ECS document through security-node's mappers (access
 * lines, auditor events, and the ops audit lines the AuditChainers log).
 * Entries carry no timestamp (formats run per transport), so `receivedAt`
 * stands for it.
 */
export function liveEntryToEcs(
  entry: LogTapEntry,
  receivedAt: Date,
): { event: EcsDocument } | { problem: LiveProblem } {
  const record: Record<string, unknown> = { ...entry };
  record.timestamp ??= receivedAt.toISOString();
  const result = normalizeRecord(record);
  if (!result.event) return { problem: result.problem ?? 'unrecognized' };
  return { event: result.event };
}
