import type { ScenarioSnapshot } from '@internal/plugin-drills-common';
import type { Runbook } from './types';

/** The parts of a runbook a run copies in when it starts. */
export function scenarioSnapshot(runbook: Runbook): ScenarioSnapshot {
  return {
    id: runbook.id,
    title: runbook.title,
    checkpoints: runbook.checkpoints.map(
      ({ id, title, targetMinutes, phase }) => ({
        id,
        title,
        targetMinutes,
        phase,
      }),
    ),
    phases: runbook.phases.map(({ phase, steps }) => ({
      phase,
      steps: steps.map(({ id, text }) => ({ id, text })),
    })),
  };
}
