import type { AuditKeyring } from './AuditKeyring';
import { canonicalJson, pendingMessage } from './hashing';

/** What a caller records. */
export interface AuditEntry {
  /** The record the event is about (a request, an alert, a run). */
  recordId?: string | null;
  /** e.g. request.received, alert.fired, drill.step_checked */
  type: string;
  /** Entity ref of the user or service that caused the event. */
  actor: string;
  /** Plain JSON details; never personal data. */
  data?: Record<string, unknown>;
  /** Defaults to now. Kept at millisecond precision. */
  at?: Date;
}

/** An entry whose record is the row an audited write returned. */
export type RowAuditEntry = Omit<AuditEntry, 'recordId'>;

/** An event ready to be chained: time fixed, data canonical. */
export interface PreparedEntry {
  recordId: string | null;
  type: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
}

export function prepare(entry: AuditEntry): PreparedEntry {
  const at = new Date(entry.at ? entry.at.getTime() : Date.now());
  if (Number.isNaN(at.getTime())) {
    throw new TypeError('audit event time is not a valid date');
  }
  return {
    at,
    data: JSON.parse(canonicalJson(entry.data ?? {})),
    recordId: entry.recordId ?? null,
    type: entry.type,
    actor: entry.actor,
  };
}

/** The columns an event is stored with, in the chain and while pending. */
export const storedColumns = (event: PreparedEntry) => ({
  record_id: event.recordId,
  type: event.type,
  actor: event.actor,
  at: event.at,
  data: canonicalJson(event.data),
});

/** A pending row, authenticated with the keyring's pending key. */
export function signedPendingRow(event: PreparedEntry, keyring: AuditKeyring) {
  const columns = storedColumns(event);
  const keyId = keyring.signingKeyId;
  return {
    ...columns,
    key_id: keyId,
    mac: keyring.mac(
      'pending',
      keyId,
      pendingMessage({
        recordId: columns.record_id,
        type: columns.type,
        actor: columns.actor,
        at: event.at.toISOString(),
        data: columns.data,
      }),
    ),
  };
}
