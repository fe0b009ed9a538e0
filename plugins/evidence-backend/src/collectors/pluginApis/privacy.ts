import { CADENCE_DAYS, EVIDENCE_TYPES } from '@internal/plugin-evidence-common';
import type {
  CollectedEvidence,
  EvidenceCollector,
} from '@internal/plugin-evidence-node';
import { z } from 'zod';
import {
  PluginApiClient,
  PluginApiDeps,
  periodEndingAt,
} from './PluginApiClient';

/*
 * Reads the privacy plugin (`/api/privacy`, see plugins/privacy-backend/README.md):
 *   GET /metrics/sla   → SlaReport { windowDays, objective, rows: SlaRow[] }
 *                        (privacy.overview.read; open to service callers)
 *   GET /audit/verify  → { ok: true, count } | { ok: false, count, brokenAt: { seq, reason } }
 *                        (privacy.admin; open to service callers)
 */

const DAY_MS = 86_400_000;

/**
 * A label of an SLA row (request type, region). The report holds figures
 * only; a label that does not look like one is replaced, so that no
 * identifier could travel in it.
 */
const LABEL = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const REDACTED = '[redacted]';
const label = z
  .unknown()
  .transform(v => (typeof v === 'string' && LABEL.test(v) ? v : REDACTED));
const figure = z.number().nullable();

const slaRowSchema = z.object({
  type: label,
  region: label,
  total: z.number(),
  withinSla: z.number(),
  compliance: figure,
  objective: z.number(),
  p50Hours: figure,
  p95Hours: figure,
  p99Hours: figure,
  atRisk: z.number(),
  burnRate: figure,
});
const slaReportSchema = z.object({
  windowDays: z.number().positive(),
  objective: z.number(),
  rows: z.array(z.record(z.unknown())),
});
export type SlaEvidenceRow = z.output<typeof slaRowSchema>;

const verificationSchema = z.union([
  z.object({ ok: z.literal(true), count: z.number().int().min(0) }),
  z.object({
    ok: z.literal(false),
    count: z.number().int().min(0),
    brokenAt: z.object({ seq: z.number().int(), reason: z.string() }),
  }),
]);
export type AuditVerificationResult = z.output<typeof verificationSchema>;

/**
 * The SLA report with figures and labels only: every row keeps the
 * documented fields of SlaRow and nothing else (no subject id, request id,
 * email or name can be in it); the names of the fields dropped are returned
 * for the log.
 */
export function sanitizeSlaReport(report: unknown): {
  windowDays: number;
  objective: number;
  rows: SlaEvidenceRow[];
  dropped: string[];
} {
  const parsed = slaReportSchema.parse(report);
  const known = new Set(Object.keys(slaRowSchema.shape));
  const dropped = new Set<string>();
  for (const key of Object.keys(report as object)) {
    if (!['windowDays', 'objective', 'rows'].includes(key)) dropped.add(key);
  }
  const rows = parsed.rows.map((row, index) => {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) dropped.add(`rows[].${key}`);
    }
    const clean = slaRowSchema.safeParse(row);
    if (!clean.success) {
      throw new Error(
        `The privacy plugin's SLA report row ${index} is not an SLA row: ${clean.error.issues
          .map(i => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    }
    if (clean.data.type === REDACTED || clean.data.region === REDACTED) {
      dropped.add(`rows[${index}] label`);
    }
    return clean.data;
  });
  return {
    windowDays: parsed.windowDays,
    objective: parsed.objective,
    rows,
    dropped: [...dropped].sort(),
  };
}

export interface PrivacyCollectorOptions extends PluginApiDeps {}

/**
 * Privacy: the DSAR SLA report (figures per request type and region over
 * the plugin's rolling window, no personal data) and a verification of the
 * privacy audit chain. Files `privacy.sla` and `privacy.audit-verification`.
 * A broken chain is filed as what it is (`ok: false`, where it broke) and
 * said in the item's title and the run's log.
 */
export function createPrivacyCollector(
  options: PrivacyCollectorOptions,
): EvidenceCollector {
  const sla = EVIDENCE_TYPES['privacy.sla'];
  const verification = EVIDENCE_TYPES['privacy.audit-verification'];
  const privacy = new PluginApiClient(options, 'privacy');
  return {
    id: 'privacy',
    title: 'Privacy',
    description:
      "The DSAR SLA report and a verification of the privacy audit chain, from the privacy plugin's API.",
    points: [...new Set([...sla.points, ...verification.points])],
    // As often as its most frequent evidence (the verification).
    cadence: verification.cadence,
    async collect(ctx) {
      const day = ctx.now.toISOString().slice(0, 10);
      const items: CollectedEvidence[] = [];

      const raw = await privacy.get('/metrics/sla', z.unknown(), {
        signal: ctx.signal,
      });
      const report = sanitizeSlaReport(raw);
      if (report.dropped.length > 0) {
        ctx.log(
          `Left out of the SLA report what it does not document: ${report.dropped.join(
            ', ',
          )}`,
        );
      }
      const { dropped: _dropped, ...slaContent } = report;
      const total = report.rows.reduce((n, r) => n + r.total, 0);
      const within = report.rows.reduce((n, r) => n + r.withinSla, 0);
      ctx.log(
        `SLA report: ${report.rows.length} rows, ${within} of ${total} requests within SLA over ${report.windowDays} days`,
      );
      items.push({
        type: 'privacy.sla',
        title: `DSAR SLA report, ${report.windowDays} days to ${day}`,
        points: sla.points,
        period: {
          start: new Date(ctx.now.getTime() - report.windowDays * DAY_MS),
          end: ctx.now,
        },
        fileName: 'privacy-sla.json',
        mediaType: 'application/json',
        content: `${JSON.stringify(
          { reportedAt: ctx.now.toISOString(), ...slaContent },
          null,
          2,
        )}\n`,
        summary: {
          rows: report.rows.length,
          requests: total,
          withinSla: within,
          compliance: total > 0 ? within / total : null,
          objective: report.objective,
          atRisk: report.rows.reduce((n, r) => n + r.atRisk, 0),
        },
      });

      const result = await privacy.get('/audit/verify', verificationSchema, {
        signal: ctx.signal,
      });
      ctx.log(
        result.ok
          ? `Privacy audit chain verified: ${result.count} events`
          : `Privacy audit chain BROKEN at event ${result.brokenAt.seq} (${result.brokenAt.reason}), after ${result.count} events`,
      );
      items.push({
        type: 'privacy.audit-verification',
        title: result.ok
          ? `Privacy audit chain verified (${result.count} events), ${day}`
          : `Privacy audit chain broken at event ${result.brokenAt.seq}, ${day}`,
        points: verification.points,
        period: periodEndingAt(ctx.now, CADENCE_DAYS[verification.cadence]),
        fileName: 'privacy-audit-verification.json',
        mediaType: 'application/json',
        content: `${JSON.stringify(
          { verifiedAt: ctx.now.toISOString(), chain: 'privacy', result },
          null,
          2,
        )}\n`,
        summary: result.ok
          ? { ok: true, events: result.count }
          : {
              ok: false,
              events: result.count,
              brokenAtSeq: result.brokenAt.seq,
              reason: result.brokenAt.reason,
            },
      });
      return items;
    },
  };
}
