import { z } from 'zod';

const isoTime = z.string().datetime({ offset: true });

/**
 * A finished run as `GET /api/drills/runs?state=finished` lists it: what the
 * evidence plugin files as incident-drill evidence (CC7.4, CC7.5, CC2.2).
 * The route may send more fields; these are the contract.
 */
export const finishedDrillRunSchema = z.object({
  id: z.string().min(1),
  scenarioId: z.string(),
  title: z.string(),
  state: z.literal('finished'),
  startedAt: isoTime,
  finishedAt: isoTime,
  lead: z.string(),
  participants: z.array(z.object({ entityRef: z.string(), role: z.string() })),
  checkpoints: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      targetMinutes: z.number(),
      reachedAt: isoTime.nullable(),
      passed: z.boolean(),
    }),
  ),
  actionItems: z.array(
    z.object({
      title: z.string(),
      owner: z.string(),
      dueDate: z.string().nullable(),
    }),
  ),
  reportUrl: z.string().nullable(),
});

export type FinishedDrillRun = z.infer<typeof finishedDrillRunSchema>;

/**
 * The file name the evidence plugin files a finished run under; the drills
 * plugin finds its filing again by it. Letters, digits, dot, dash and
 * underscore only.
 */
export function drillEvidenceFileName(runId: string): string {
  return `incident-drill-${runId
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 100)}.json`;
}
