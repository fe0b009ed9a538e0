import { CADENCE_DAYS, EVIDENCE_TYPES } from '@internal/plugin-evidence-common';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import { z } from 'zod';
import {
  PluginApiClient,
  PluginApiDeps,
  periodEndingAt,
} from './PluginApiClient';

/*
 * Reads the SLO plugin (`/api/slo`, see plugins/slo-backend/README.md):
 *   GET /objectives?limit&offset → Page<SloObjectiveSummary>
 *   GET /alerts?limit&offset[&state=firing] → Page<SloAlert>, newest first
 * The objects are parsed down to what an auditor reads; the burn rates per
 * window of each status are left out.
 */

const DAY_MS = 86_400_000;

const tierSchema = z.object({
  name: z.string(),
  severity: z.string(),
  longWindow: z.string(),
  shortWindow: z.string(),
  threshold: z.number(),
  budgetShare: z.number(),
  targets: z.array(z.string()),
});

const objectiveSchema = z.object({
  id: z.string(),
  name: z.string(),
  displayName: z.string(),
  service: z.string(),
  entityRef: z.string().optional(),
  owner: z.string().optional(),
  system: z.string().optional(),
  target: z.number(),
  windowLabel: z.string(),
  budgeting: z.string(),
  source: z.string(),
  tiers: z.array(tierSchema),
  state: z.string(),
  status: z
    .object({
      at: z.string(),
      sli: z.number().nullable(),
      budgetRemaining: z.number(),
      firing: z.array(z.string()),
      dataThrough: z.string().nullable(),
    })
    .nullable(),
});
export type MonitoringObjective = z.output<typeof objectiveSchema>;

const alertSchema = z.object({
  id: z.string(),
  objectiveRef: z.string(),
  tier: z.string(),
  severity: z.string(),
  dedupKey: z.string(),
  state: z.enum(['firing', 'resolved']),
  firedAt: z.string().datetime({ offset: true }),
  resolvedAt: z.string().datetime({ offset: true }).nullable(),
  acknowledged: z
    .object({ by: z.string(), at: z.string(), reason: z.string() })
    .nullable(),
  silenced: z
    .object({ by: z.string(), until: z.string(), reason: z.string() })
    .nullable(),
  links: z.array(
    z.object({
      target: z.string(),
      type: z.string(),
      externalId: z.string(),
      url: z.string().optional(),
    }),
  ),
});
export type MonitoringAlert = z.output<typeof alertSchema>;

/** What `monitoring.json` holds. */
export interface MonitoringEvidence {
  period: { start: string; end: string };
  objectives: MonitoringObjective[];
  /** Alerts that were firing at some time in the period, newest first. */
  alerts: MonitoringAlert[];
}

export interface MonitoringCollectorOptions extends PluginApiDeps {
  /** Items per request (default 100, the most the SLO API gives). */
  pageSize?: number;
  /**
   * How far before the period alerts are read, for those that fired before
   * it and resolved inside it (default 30 days). Alerts still firing are
   * read whatever their age.
   */
  alertLookbackDays?: number;
}

/** A locale-free order, the same on every machine. */
function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Whether an alert was firing at some time in [start, end). */
function overlaps(alert: MonitoringAlert, start: Date, end: Date): boolean {
  return (
    Date.parse(alert.firedAt) < end.getTime() &&
    (alert.resolvedAt === null ||
      Date.parse(alert.resolvedAt) >= start.getTime())
  );
}

/**
 * Monitoring (CC4.1, CC7.2): the SLO plugin's objectives with their alert
 * tiers and latest evaluation, and the alerts of the period with their
 * acknowledgements and links to tickets and incidents. Files one
 * `monitoring.json`.
 */
export function createMonitoringCollector(
  options: MonitoringCollectorOptions,
): EvidenceCollector {
  const { points, cadence } = EVIDENCE_TYPES.monitoring;
  const slo = new PluginApiClient(options, 'slo');
  return {
    id: 'monitoring',
    title: 'Monitoring',
    description:
      "Objectives, their alert tiers and the alert history of the period, from the SLO plugin's API.",
    points,
    cadence,
    async collect(ctx) {
      const { start, end } = periodEndingAt(ctx.now, CADENCE_DAYS[cadence]);
      const pageSize = options.pageSize;
      const objectives = (
        await slo.getAll('/objectives', objectiveSchema, {
          pageSize,
          signal: ctx.signal,
          query: { sort: 'name', order: 'asc' },
        })
      ).sort((a, b) => byCodePoint(a.id, b.id));
      ctx.log(`Read ${objectives.length} objectives from the SLO plugin`);

      const lookbackStart =
        start.getTime() - (options.alertLookbackDays ?? 30) * DAY_MS;
      const recent = await slo.getAll('/alerts', alertSchema, {
        pageSize,
        signal: ctx.signal,
        // Newest first: past the lookback, nothing older is read.
        until: alert => Date.parse(alert.firedAt) < lookbackStart,
      });
      const firing = await slo.getAll('/alerts', alertSchema, {
        pageSize,
        signal: ctx.signal,
        query: { state: 'firing' },
      });
      const byId = new Map<string, MonitoringAlert>();
      for (const alert of [...recent, ...firing]) {
        if (overlaps(alert, start, end)) byId.set(alert.id, alert);
      }
      const alerts = [...byId.values()].sort(
        (a, b) =>
          Date.parse(b.firedAt) - Date.parse(a.firedAt) ||
          byCodePoint(a.id, b.id),
      );
      ctx.log(`${alerts.length} alerts were firing in the period`);

      const objectivesByState: Record<string, number> = {};
      for (const objective of objectives) {
        objectivesByState[objective.state] =
          (objectivesByState[objective.state] ?? 0) + 1;
      }
      const evidence: MonitoringEvidence = {
        period: { start: start.toISOString(), end: end.toISOString() },
        objectives,
        alerts,
      };
      return [
        {
          type: 'monitoring',
          title: `Objectives and alerts, ${start
            .toISOString()
            .slice(0, 10)} to ${end.toISOString().slice(0, 10)}`,
          points,
          period: { start, end },
          fileName: 'monitoring.json',
          mediaType: 'application/json',
          content: `${JSON.stringify(evidence, null, 2)}\n`,
          summary: {
            objectives: objectives.length,
            objectivesByState,
            alerts: alerts.length,
            pages: alerts.filter(a => a.severity === 'page').length,
            acknowledged: alerts.filter(a => a.acknowledged !== null).length,
            stillFiring: alerts.filter(a => a.state === 'firing').length,
          },
        },
      ];
    },
  };
}
