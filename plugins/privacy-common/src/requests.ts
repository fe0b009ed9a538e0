import { z } from 'zod';

export const REGIONS = ['EU', 'US', 'UK', 'APAC'] as const;
export type Region = (typeof REGIONS)[number];

export const JURISDICTIONS = ['GDPR', 'UK-GDPR', 'CCPA'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/** Larger is more urgent. */
export const PRIORITIES = { LOW: 1, NORMAL: 5, HIGH: 10, URGENT: 20 } as const;
export type PriorityName = keyof typeof PRIORITIES;

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
        id: z.string().trim().min(1).max(200),
        email: z.string().email().optional(),
      })
      .strict(),
    region: z.enum(REGIONS),
    jurisdiction: z.enum(JURISDICTIONS),
    priority: z
      .enum(Object.keys(PRIORITIES) as [PriorityName, ...PriorityName[]])
      .default('NORMAL'),
  })
  .strict();

export type DsarIntake = z.input<typeof dsarIntakeSchema>;

/** A DSAR request as the API returns it (no personal data beyond the subject id). */
export interface DsarRequest {
  id: string;
  type: RequestType;
  state: RequestState;
  subjectId: string;
  region: Region;
  jurisdiction: Jurisdiction;
  priority: number;
  requester: string;
  createdAt: string;
  updatedAt: string;
  /** Internal SLA: export 24 h, delete 72 h after intake. */
  slaDueAt: string;
  /** Legal deadline: one calendar month (GDPR) or 45 days (CCPA). */
  legalDueAt: string;
}

/** Catalog annotation on a Component: the Resources holding its personal data. */
export const PERSONAL_DATA_STORES_ANNOTATION =
  'privacy.ops.portal/personal-data-stores';
