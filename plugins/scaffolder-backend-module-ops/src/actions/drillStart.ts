import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { DrillsClient } from '../pluginApis/drillsClient';
import { PluginApiOptions } from '../pluginApis/pluginFetch';

/** The action's id. */
export const DRILL_START_ACTION_ID = 'ops:drill:start';

export type DrillStartActionOptions = PluginApiOptions & {
  /** The portal's `app.baseUrl`, for the link to the run. */
  appBaseUrl: string;
};

/**
 * `ops:drill:start`: starts a drill run of a scenario in the drills plugin,
 * led by the template's initiator (the plugin checks their permission).
 */
export function createDrillStartAction(options: DrillStartActionOptions) {
  return createTemplateAction({
    id: DRILL_START_ACTION_ID,
    description:
      'Starts a drill run of a scenario in the drills plugin, led by the person running the template.',
    supportsDryRun: true,
    examples: [
      {
        description: "Start this month's calendar drill",
        example: [
          'steps:',
          '  - id: drill',
          '    action: ops:drill:start',
          '    name: Start the drill',
          '    input:',
          '      scenarioId: database-failover',
          "      calendarMonth: '2025-03'",
        ].join('\n'),
      },
      {
        description: 'Start a drill with a coordinator and a scribe',
        example: [
          'steps:',
          '  - id: drill',
          '    action: ops:drill:start',
          '    name: Start the drill',
          '    input:',
          '      scenarioId: ${{ parameters.scenario }}',
          '      participants:',
          '        - entityRef: user:default/ben',
          '          role: coordinator',
          '        - entityRef: user:default/cleo',
          '          role: scribe',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        scenarioId: z =>
          z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/, 'not a scenario id')
            .describe('The runbook scenario to drill, e.g. database-failover'),
        calendarMonth: z =>
          z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
            .optional()
            .describe("YYYY-MM when this is that month's calendar drill"),
        participants: z =>
          z
            .array(
              z.object({
                entityRef: z.string().min(1).max(255),
                role: z.enum(['lead', 'coordinator', 'observer', 'scribe']),
              }),
            )
            .max(100)
            .optional()
            .describe(
              'Who else takes part (the initiator leads), with their roles',
            ),
      },
      output: {
        runId: z => z.string().optional(),
        runUrl: z => z.string().optional(),
        dryRun: z => z.boolean(),
      },
    },
    async handler(ctx) {
      const { scenarioId, calendarMonth, participants } = ctx.input;
      const drills = new DrillsClient({
        ...options,
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      const others = participants?.length ?? 0;
      if (ctx.isDryRun) {
        const runbook = await drills.getRunbook(scenarioId);
        ctx.logger.info(
          `Dry run: would start a drill of ${runbook.id} (${runbook.title}, ${
            runbook.checkpoints.length
          } checkpoints)${
            calendarMonth ? ` as the drill of ${calendarMonth}` : ''
          } with ${others} participant(s) besides the lead; nothing was started`,
        );
        ctx.output('dryRun', true);
        return;
      }
      const run = await drills.startRun({
        scenarioId,
        calendarMonth,
        participants,
      });
      const runUrl = `${options.appBaseUrl.replace(
        /\/+$/,
        '',
      )}/drills/runs/${encodeURIComponent(run.id)}`;
      ctx.logger.info(
        `Started drill run ${run.id} of ${scenarioId}: ${runUrl}`,
      );
      ctx.output('runId', run.id);
      ctx.output('runUrl', runUrl);
      ctx.output('dryRun', false);
    },
  });
}
