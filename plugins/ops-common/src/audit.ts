/** One entry of a hash-chained audit log, as every ops plugin shows it. */
export interface AuditEvent {
  seq: number;
  /** The record the event is about (a request, an alert, a drill run), or null. */
  recordId: string | null;
  /** e.g. request.received, alert.fired, drill.step_checked */
  type: string;
  /** Entity ref of the user or service that caused the event. */
  actor: string;
  /** ISO 8601 with milliseconds. */
  at: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** What verifying a chain found: every row checks out, or the first that does not. */
export type AuditVerification =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenAt: { seq: number; reason: string } };
