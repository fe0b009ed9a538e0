import type { RunStep, RunView } from '@internal/plugin-drills-common';

function mapSteps(run: RunView, map: (step: RunStep) => RunStep): RunView {
  return {
    ...run,
    phases: run.phases.map(phase => ({
      ...phase,
      steps: phase.steps.map(map),
    })),
  };
}

/**
 * A freshly read run over the one on screen. Per step, the higher version
 * wins: a read that left the server before a step's save came back must not
 * put the older state back.
 */
export function mergeRun(current: RunView | undefined, next: RunView): RunView {
  if (!current || current.id !== next.id) return next;
  // A run never starts again: a read older than its end must not bring it back.
  if (current.state !== 'running' && next.state === 'running') return current;
  const known = new Map<string, RunStep>();
  for (const phase of current.phases) {
    for (const step of phase.steps) known.set(step.id, step);
  }
  return mapSteps(next, step => {
    const mine = known.get(step.id);
    return mine && mine.version > step.version ? mine : step;
  });
}

/** `step` as the server answered it, unless the run already holds a newer version. */
export function mergeStep(run: RunView, step: RunStep): RunView {
  return mapSteps(run, existing =>
    existing.id === step.id && step.version >= existing.version
      ? step
      : existing,
  );
}

/** A change the user made that the server has not answered yet. */
export interface PendingStep {
  checked: boolean;
  /** The version it was made against. */
  version: number;
}

/**
 * The run as the user sees it: their unanswered changes applied, unless
 * the server already holds a newer version of that step (someone else was
 * first, and their change shows).
 */
export function applyPending(
  run: RunView,
  pending: Record<string, PendingStep>,
): RunView {
  if (Object.keys(pending).length === 0) return run;
  return mapSteps(run, step => {
    const change = pending[step.id];
    return change && change.version === step.version
      ? { ...step, checked: change.checked }
      : step;
  });
}
