import type { RunListItem } from './types';

/**
 * A finished run as the evidence plugin's incident-drills collector reads it
 * from `GET /runs?state=finished&finishedAfter=&finishedBefore=` (the
 * contract at the top of
 * `plugins/evidence-backend/src/collectors/pluginApis/drills.ts`).
 */
export interface EvidenceDrillRun {
  id: string;
  scenarioId: string;
  title: string;
  state: 'finished';
  startedAt: string;
  finishedAt: string;
  lead: string;
  participants: Array<{ entityRef: string; role: string }>;
  checkpoints: Array<{
    id: string;
    title: string;
    targetMinutes: number;
    reachedAt: string | null;
    passed: boolean;
  }>;
  actionItems: Array<{ title: string; owner: string; dueDate: string | null }>;
  reportUrl: string | null;
}

/**
 * Maps a finished run (a list item or a full view) to exactly the contract
 * shape, no more fields. Throws TypeError for a run that is not finished.
 */
export function toContractItem(
  run: RunListItem,
  reportUrl: string | null,
): EvidenceDrillRun {
  if (run.state !== 'finished' || run.finishedAt === null) {
    throw new TypeError(
      `Run ${run.id} is ${run.state}: only finished runs are evidence`,
    );
  }
  return {
    id: run.id,
    scenarioId: run.scenarioId,
    title: run.title,
    state: 'finished',
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    lead: run.lead,
    participants: run.participants.map(p => ({
      entityRef: p.entityRef,
      role: p.role,
    })),
    checkpoints: run.checkpoints.map(c => ({
      id: c.id,
      title: c.title,
      targetMinutes: c.targetMinutes,
      reachedAt: c.reachedAt,
      passed: c.passed,
    })),
    actionItems: run.actionItems.map(a => ({
      title: a.title,
      owner: a.owner,
      dueDate: a.dueDate,
    })),
    reportUrl,
  };
}
