import { ConflictError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DrillsClient } from '../pluginApis/drillsClient';
import { PluginApiOptions } from '../pluginApis/pluginFetch';

/** The action's id. */
export const DRILL_CHECKPOINT_ACTION_ID = 'ops:drill:checkpoint';

export type DrillCheckpointActionOptions = PluginApiOptions & {
  /** The clock for the dry run's "minutes so far" (tests). */
  clock?: () => Date;
};

/**
 * `ops:drill:checkpoint`: records, as the template's initiator, that a timed
 * checkpoint of a running drill is reached now; outputs how long it took
 * against its target.
 */
export function createDrillCheckpointAction(
  options: DrillCheckpointActionOptions,
) {
  const now = () => options.clock?.() ?? new Date();
  return createTemplateAction({
    id: DRILL_CHECKPOINT_ACTION_ID,
    description:
      'Records that a timed checkpoint of a running drill is reached now, as the person running the template (a participant of the run).',
    supportsDryRun: true,
    examples: [
      {
        description: 'Record that the service is detected',
        example: [
          'steps:',
          '  - id: checkpoint',
          '    action: ops:drill:checkpoint',
          '    name: Detected',
          '    input:',
          '      runId: ${{ parameters.runId }}',
          '      checkpointId: detected',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        runId: z =>
          z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/, 'not a run id')
            .describe('The drill run'),
        checkpointId: z =>
          z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/, 'not a checkpoint id')
            .describe('The checkpoint reached, as the scenario names it'),
      },
      output: {
        checkpointId: z => z.string(),
        title: z => z.string(),
        targetMinutes: z => z.number(),
        elapsedMinutes: z => z.number().nullable().optional(),
        passed: z => z.boolean().optional(),
        reachedAt: z => z.string().optional(),
        dryRun: z => z.boolean(),
      },
    },
    async handler(ctx) {
      const { runId, checkpointId } = ctx.input;
      const drills = new DrillsClient({
        ...options,
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      const run = await drills.getRun(runId);
      const checkpoint = run.checkpoints.find(c => c.id === checkpointId);
      if (!checkpoint) {
        throw new NotFoundError(
          `Run ${runId} (${
            run.scenarioId
          }) has no checkpoint ${checkpointId}; it has ${
            run.checkpoints.map(c => c.id).join(', ') || 'none'
          }`,
        );
      }
      if (run.state !== 'running') {
        throw new ConflictError(
          `Run ${runId} is ${run.state}: checkpoints are recorded only while a run is running`,
        );
      }
      if (checkpoint.reachedAt) {
        throw new ConflictError(
          `Checkpoint ${checkpointId} of run ${runId} was reached already, at ${checkpoint.reachedAt}`,
        );
      }
      ctx.output('checkpointId', checkpoint.id);
      ctx.output('title', checkpoint.title);
      ctx.output('targetMinutes', checkpoint.targetMinutes);

      if (ctx.isDryRun) {
        const soFar =
          Math.round(
            ((now().getTime() - Date.parse(run.startedAt)) / 60_000) * 100,
          ) / 100;
        ctx.logger.info(
          `Dry run: would record checkpoint ${checkpointId} (${checkpoint.title}) of run ${runId} as reached, ${soFar} min after the start against a target of ${checkpoint.targetMinutes} min; nothing was recorded`,
        );
        ctx.output('dryRun', true);
        return;
      }

      const reached = await drills.reachCheckpoint(runId, checkpointId);
      ctx.logger.info(
        `Checkpoint ${checkpointId} of run ${runId} reached after ${
          reached.elapsedMinutes
        } min against a target of ${reached.targetMinutes} min: ${
          reached.passed ? 'passed' : 'missed'
        }`,
      );
      ctx.output('targetMinutes', reached.targetMinutes);
      ctx.output('elapsedMinutes', reached.elapsedMinutes);
      ctx.output('passed', reached.passed);
      if (reached.reachedAt) ctx.output('reachedAt', reached.reachedAt);
      ctx.output('dryRun', false);
    },
  });
}
