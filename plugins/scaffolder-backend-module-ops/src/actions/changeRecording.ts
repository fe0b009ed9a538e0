import type { ChangeEvidence } from '../record';

/** Which task step made a change, and when it started: for the change record. */
export type TaskStep = {
  /** The task's initiator, when known. */
  initiatedBy?: string;
  taskId: string;
  stepId?: string;
  startedAt: string;
};

/** A rollback action's hook after a real change: records it, returns its evidence filing. */
export type OnChange<R> = (
  record: R,
) => Promise<ChangeEvidence | void> | ChangeEvidence | void;

/** The part of the scaffolder's zod these outputs use (its zod instance is its own). */
type ZodStrings<T> = {
  string(): { optional(): { describe(description: string): T } };
};

/** The outputs saying where a change's evidence filing stands. */
export const evidenceOutputs = {
  evidenceState: <T>(z: ZodStrings<T>) =>
    z
      .string()
      .optional()
      .describe(
        'The change record filed as CC8.1 evidence: filed, pending (retried until the evidence plugin takes it), dead or off',
      ),
  evidenceItemId: <T>(z: ZodStrings<T>) =>
    z.string().optional().describe('The evidence item, once filed'),
};

/** Sets the evidence outputs from what the hook returned. */
export function outputEvidence(
  output: (name: 'evidenceState' | 'evidenceItemId', value: string) => void,
  evidence: ChangeEvidence | void,
) {
  if (!evidence) return;
  output('evidenceState', evidence.state);
  if (evidence.itemId) output('evidenceItemId', evidence.itemId);
}

/** What a Kubernetes rollback action knows besides the rollout's result. */
export type ChangeFacts = {
  entityRef: string;
  reason: string;
  incidentUrl?: string;
  startedAt: string;
};

/**
 * The end of a Kubernetes rollback action: hands a real change (not a dry
 * run) to `onChange` with the task step that made it, then sets every field
 * of the result as an output, and the evidence filing's state.
 */
export async function finishRollback<R extends { dryRun: boolean }>(
  ctx: {
    task: { id: string };
    step?: { id?: string };
    user?: { ref?: string };
    logger: { info(message: string): void };
    output(name: string, value: any): void;
  },
  result: R,
  facts: ChangeFacts,
  onChange: OnChange<R & ChangeFacts & TaskStep> | undefined,
): Promise<void> {
  const evidence =
    !result.dryRun && onChange
      ? await onChange({
          ...result,
          ...facts,
          initiatedBy: ctx.user?.ref,
          taskId: ctx.task.id,
          stepId: ctx.step?.id,
        })
      : undefined;
  if (result.dryRun) ctx.logger.info('Dry run: nothing was changed');
  for (const [name, value] of Object.entries(result)) {
    ctx.output(name, value);
  }
  outputEvidence(ctx.output, evidence);
}
