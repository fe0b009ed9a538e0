/**
 * Alerts other backend plugins (e.g. `security`) hand the SLO plugin's
 * notifiers: `POST /api/slo/external-alerts`, with the calling plugin's
 * service token.
 */
import { z } from 'zod';
import type { SloAlertNotification } from './api';

/** At most this many entries in `fields`. */
export const EXTERNAL_ALERT_MAX_FIELDS = 20;

/** A portal path (`/security/alerts/42`, not `//host`) or an http(s) URL. */
const isPortalLink = (link: string) =>
  /^\/(?!\/)/.test(link) || /^https?:\/\/[^\s]+$/i.test(link);

/** The body of `POST /api/slo/external-alerts`. */
export const externalAlertSchema = z
  .object({
    /** The calling plugin's id, e.g. `security`: must equal the caller's `plugin:<id>`. */
    source: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    /** Stable id of the alert at the source; opaque (no names or addresses): it is kept in audit events and outbox keys. */
    alertId: z.string().regex(/^[A-Za-z0-9:._/-]{1,200}$/),
    event: z.enum(['fired', 'resolved']),
    /** `page` or `ticket`: picks the targets configured for the source. */
    severity: z.enum(['page', 'ticket']),
    title: z.string().min(1).max(200),
    summary: z.string().max(2000),
    /** ISO 8601 with an offset. */
    at: z.string().datetime({ offset: true }),
    service: z.string().max(100).optional(),
    /** The entity it concerns; the portal inbox (`backstage` targets) notifies it (a group's members, an entity's owners). */
    entityRef: z.string().max(200).optional(),
    /** Portal path like `/security/alerts/42` (or an http(s) URL). */
    link: z
      .string()
      .max(500)
      .refine(
        isPortalLink,
        'must be a portal path such as /security/alerts/42 or an http(s) URL',
      ),
    /** Extra facts shown by the notifiers, at most 20. */
    fields: z
      .record(z.string().min(1).max(60), z.string().max(500))
      .default({})
      .refine(
        fields => Object.keys(fields).length <= EXTERNAL_ALERT_MAX_FIELDS,
        `must have at most ${EXTERNAL_ALERT_MAX_FIELDS} entries`,
      ),
  })
  .strict();

/** What a caller sends. */
export type ExternalAlert = z.input<typeof externalAlertSchema>;

/** The outbox payload of an external alert; `link` is absolute (the portal's base URL prepended). */
export interface ExternalAlertNotification
  extends z.output<typeof externalAlertSchema> {
  kind: 'external';
  /** `${source}:${alertId}`: vendors dedupe on it. */
  dedupKey: string;
}

/** Every outbox payload of the SLO plugin's notifiers. Stored payloads without `kind` are SLO ones. */
export type OpsAlertNotification =
  | SloAlertNotification
  | ExternalAlertNotification;

/** `202` answer of `POST /api/slo/external-alerts`: one delivery per routed target, the same on a repeat. */
export interface ExternalAlertResponse {
  deliveries: Array<{ target: string; idempotencyKey: string }>;
}
