/**
 * The drills plugin's API this collector reads (the contract; the drills
 * backend implements it under `/api/drills`):
 *
 * ```
 * GET /runs?state=finished&finishedAfter=<iso>&finishedBefore=<iso>&limit=<1..100>&offset=<0..10000>
 *   finishedAfter inclusive, finishedBefore exclusive; sorted by finishedAt, then id
 * → 200 {
 *     items: [{
 *       id: string, scenarioId: string, title: string, state: 'finished',
 *       startedAt: iso, finishedAt: iso, lead: entityRef,
 *       participants: [{ entityRef, role }],
 *       checkpoints: [{ id, title, targetMinutes: number, reachedAt: iso | null, passed: boolean }],
 *       actionItems: [{ title, owner: entityRef, dueDate: iso date | null }],
 *       reportUrl: string | null,
 *     }],
 *     totalCount: number, limit: number, offset: number,
 *   }
 * ```
 *
 * Called with a plugin request token of the evidence plugin's service
 * principal; a read of finished runs must be open to service callers.
 */
import { CADENCE_DAYS, EVIDENCE_TYPES } from '@internal/plugin-evidence-common';
import type {
  CollectedEvidence,
  EvidenceCollector,
} from '@internal/plugin-evidence-node';
import {
  drillEvidenceFileName,
  finishedDrillRunSchema,
} from '@internal/plugin-drills-common';
import { z } from 'zod';
import { PluginApiClient, PluginApiDeps } from './PluginApiClient';

const DAY_MS = 86_400_000;

/** The contract's run, as the drills plugin's common package defines it. */
export const drillRunSchema = finishedDrillRunSchema;
export type FinishedDrillRun = z.output<typeof drillRunSchema>;

export interface IncidentDrillsCollectorOptions extends PluginApiDeps {
  /** Items per request (default 100). */
  pageSize?: number;
  /** How far back runs are read when nothing was filed before (default: the cadence, 92 days). */
  lookbackDays?: number;
}

/** A file name from a run id, as the drills plugin looks its filing up. */
const fileNameOf = drillEvidenceFileName;

/** The last run filed, read from the previous item's content. */
function lastFiled(
  content: Buffer | undefined,
): { id: string; finishedAt: Date } | undefined {
  if (!content) return undefined;
  try {
    const run = JSON.parse(content.toString('utf8'))?.run;
    const finishedAt = new Date(run?.finishedAt);
    if (typeof run?.id !== 'string' || Number.isNaN(finishedAt.getTime())) {
      return undefined;
    }
    return { id: run.id, finishedAt };
  } catch {
    return undefined;
  }
}

/**
 * Incident drills (CC7.4, CC7.5, CC2.2): one `incident-drill` item per drill
 * run finished since the last one filed (at most `lookbackDays` back), with
 * its participants, timed checkpoints, action items and report link; none,
 * and a log line saying so, when no drill finished.
 */
export function createIncidentDrillsCollector(
  options: IncidentDrillsCollectorOptions,
): EvidenceCollector {
  const { points, cadence } = EVIDENCE_TYPES['incident-drill'];
  const drills = new PluginApiClient(options, 'drills');
  return {
    id: 'incident-drills',
    title: 'Incident drills',
    description:
      "Finished drill runs with their participants, checkpoints and action items, from the drills plugin's API.",
    points,
    cadence,
    async collect(ctx) {
      const end = ctx.now;
      const earliest = new Date(
        end.getTime() -
          (options.lookbackDays ?? CADENCE_DAYS[cadence]) * DAY_MS,
      );
      const last = lastFiled((await ctx.previous('incident-drill'))?.content);
      const start =
        last && last.finishedAt > earliest ? last.finishedAt : earliest;
      const runs = (
        await drills.getAll('/runs', drillRunSchema, {
          pageSize: options.pageSize,
          signal: ctx.signal,
          query: {
            state: 'finished',
            finishedAfter: start.toISOString(),
            finishedBefore: end.toISOString(),
          },
        })
      ).filter(run => run.id !== last?.id);
      if (runs.length === 0) {
        ctx.log(
          `No drill run finished between ${start.toISOString()} and ${end.toISOString()}`,
        );
        return [];
      }
      ctx.log(
        `${
          runs.length
        } drill runs finished between ${start.toISOString()} and ${end.toISOString()}`,
      );
      return runs.map(
        (run): CollectedEvidence => ({
          type: 'incident-drill',
          title: `Drill: ${run.title} (${run.finishedAt.slice(0, 10)})`,
          points,
          period: {
            start: new Date(run.startedAt),
            end: new Date(run.finishedAt),
          },
          fileName: fileNameOf(run.id),
          mediaType: 'application/json',
          content: `${JSON.stringify({ run }, null, 2)}\n`,
          summary: {
            scenarioId: run.scenarioId,
            participants: run.participants.length,
            checkpoints: run.checkpoints.length,
            checkpointsPassed: run.checkpoints.filter(c => c.passed).length,
            actionItems: run.actionItems.length,
          },
        }),
      );
    },
  };
}
