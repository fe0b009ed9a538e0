import {
  PRIORITIES,
  PRIORITY_NAMES,
  type PriorityName,
} from '@internal/plugin-ops-common';
import { z } from 'zod';

/**
 * Free text that is stored as written: trimmed, bounded, and without control
 * characters (PostgreSQL refuses NUL; none belongs in a reason or a source).
 */
export const plainText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const REGIONS = ['EU', 'US', 'UK', 'APAC'] as const;
export type Region = (typeof REGIONS)[number];

export const JURISDICTIONS = ['GDPR', 'UK-GDPR', 'CCPA'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export { PRIORITIES, PRIORITY_NAMES };
export type { PriorityName };

export const REQUEST_TYPES = ['export', 'delete'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATES = [
  'received',
  'awaiting_approval',
  'on_hold',
  'queued',
  'running',
  'completed',
  'failed',
  'dead_lettered',
  'canceled',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** The body of `POST /export` and `POST /delete`. */
export const dsarIntakeSchema = z
  .object({
    subject: z
      .object({
        id: plainText(1, 200),
        email: z.string().email().optional(),
      })
      .strict(),
    region: z.enum(REGIONS),
    jurisdiction: z.enum(JURISDICTIONS),
    priority: z.enum(PRIORITY_NAMES).default('NORMAL'),
  })
  .strict();

export type DsarIntake = z.input<typeof dsarIntakeSchema>;

/** A DSAR request as the API returns it. The subject's email is never returned. */
export interface DsarRequest {
  id: string;
  type: RequestType;
  state: RequestState;
  /**
   * The data subject's id; null when the caller may not see it
   * (privacy.request.subject.read), and then `subjectHidden` is true.
   */
  subjectId: string | null;
  /** The subject's id was withheld from this caller. */
  subjectHidden: boolean;
  region: Region;
  jurisdiction: Jurisdiction;
  priority: number;
  requester: string;
  /** Who approved an erasure (never the requester). */
  approvedBy: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** Internal SLA: export 24 h, delete 72 h after intake. */
  slaDueAt: string;
  /** Legal deadline: one calendar month (GDPR) or 45 days (CCPA), maybe extended. */
  legalDueAt: string;
  /** Why the legal deadline was extended, if it was. */
  extensionReason: string | null;
  /** Execution attempts so far. */
  attempts: number;
  lastError: string | null;
  /** Demo data, created by `privacy.demo` for `yarn start`. */
  demo: boolean;
}

/** The result of one data source for one request. */
export interface SourceResult {
  /** Entity ref of the catalog Resource. */
  source: string;
  connection: string;
  status: 'pending' | 'done' | 'failed';
  /** Records exported, or records erased. */
  records: number;
  /** Erasure only: personal-data records still found when read back (0 is the proof). */
  remaining: number | null;
  error: string | null;
  finishedAt: string | null;
}

/** `GET /status/:id`: a request with its per-source results and export. */
export interface DsarRequestDetail extends DsarRequest {
  sources: SourceResult[];
  export: {
    id: string;
    sha256: string;
    sizeBytes: number;
    keyId: string;
    expiresAt: string;
  } | null;
  /** Erasure: every source read back and found empty of the subject's data. */
  erasureProof: {
    verifiedAt: string;
    sources: number;
    remaining: number;
  } | null;
}

/** Query of `GET /requests`. */
export interface RequestListQuery {
  limit?: number;
  offset?: number;
  state?: RequestState;
  type?: RequestType;
  region?: Region;
  priority?: PriorityName;
  /** Only requests past their SLA and not finished. */
  overdue?: boolean;
  sort?: 'createdAt' | 'slaDueAt' | 'legalDueAt' | 'priority';
  order?: 'asc' | 'desc';
}

/**
 * One entry of the hash-chained audit log (`GET /requests/:id/audit`), and
 * what `GET /audit/verify` answers: the shared shapes of every ops plugin.
 * Privacy's event types: request.received, request.approved,
 * request.state_changed, export.downloaded, consent.changed, ...
 */
export type {
  AuditEvent,
  AuditVerification,
} from '@internal/plugin-ops-common';

/** `GET /metrics/sla`: one row per request type and region, rolling window. */
export interface SlaRow {
  type: RequestType;
  region: Region;
  /** Requests received in the window that are finished or past their SLA. */
  total: number;
  withinSla: number;
  /** withinSla / total, or null when total is 0. */
  compliance: number | null;
  objective: number;
  p50Hours: number | null;
  p95Hours: number | null;
  p99Hours: number | null;
  /** Open requests projected to miss their SLA. */
  atRisk: number;
  /** Error-budget burn rate: (1 - compliance) / (1 - objective). */
  burnRate: number | null;
}

export interface SlaReport {
  windowDays: number;
  objective: number;
  rows: SlaRow[];
}

/** `GET /metrics/queue` */
export interface QueueMetrics {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  deadLettered: number;
}

export const CONSENT_PURPOSES = [
  'marketing',
  'analytics',
  'personalization',
  'third_party_sharing',
] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** The body of `POST /consent`. */
export const consentChangeSchema = z
  .object({
    subject: z.object({ id: plainText(1, 200) }).strict(),
    purpose: z.enum(CONSENT_PURPOSES),
    granted: z.boolean(),
    /** Where the consent was given or withdrawn, e.g. "web-banner". */
    source: plainText(1, 100),
  })
  .strict();
export type ConsentChange = z.input<typeof consentChangeSchema>;

/**
 * The body of `POST /consent/lookup`: the subject id travels in the body,
 * never in a URL, so no request log, proxy log or browser history holds it.
 */
export const consentLookupSchema = z
  .object({
    subject: z.object({ id: plainText(1, 200) }).strict(),
  })
  .strict();
export type ConsentLookup = z.input<typeof consentLookupSchema>;

/** The answer of `POST /consent` and `POST /consent/lookup`. */
export interface ConsentState {
  subjectId: string;
  current: Partial<
    Record<ConsentPurpose, { granted: boolean; at: string; source: string }>
  >;
  history: Array<{
    purpose: ConsentPurpose;
    granted: boolean;
    at: string;
    source: string;
    actor: string;
  }>;
}

/** The body of `POST /requests/:id/extend`. */
export const extendDeadlineSchema = z
  .object({ reason: plainText(10, 1000) })
  .strict();

/** Catalog annotation on a Component: the Resources holding its personal data. */
export const PERSONAL_DATA_STORES_ANNOTATION =
  'privacy.ops.portal/personal-data-stores';
