import { InputError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { EvidenceClient } from '../pluginApis/evidenceClient';
import { PluginApiOptions } from '../pluginApis/pluginFetch';

/** The action's id. */
export const EVIDENCE_COLLECT_ACTION_ID = 'ops:evidence:collect';

export type EvidenceCollectActionOptions = PluginApiOptions & {
  /** The portal's `app.baseUrl`, for the link to the run. */
  appBaseUrl: string;
  /** How often the run is read while waiting (default 2000 ms). */
  pollIntervalMs?: number;
};

/**
 * `ops:evidence:collect`: starts a run of an evidence collector as the
 * template's initiator (the evidence plugin checks their permission) and
 * waits for it to finish.
 */
export function createEvidenceCollectAction(
  options: EvidenceCollectActionOptions,
) {
  const runUrl = (id: string) =>
    `${options.appBaseUrl.replace(
      /\/+$/,
      '',
    )}/evidence/runs/${encodeURIComponent(id)}`;

  return createTemplateAction({
    id: EVIDENCE_COLLECT_ACTION_ID,
    description:
      'Runs an evidence collector of the evidence plugin as the person running the template, and waits for the evidence it files.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Collect change-management evidence for one service',
        example: [
          'steps:',
          '  - id: collect',
          '    action: ops:evidence:collect',
          '    name: Collect evidence',
          '    input:',
          '      collectorId: change-management.git',
          '      entityRef: ${{ parameters.service }}',
        ].join('\n'),
      },
      {
        description: 'Start the access review collector without waiting',
        example: [
          'steps:',
          '  - id: collect',
          '    action: ops:evidence:collect',
          '    name: Start the access review',
          '    input:',
          '      collectorId: access-review',
          '      wait: false',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        collectorId: z =>
          z
            .string()
            .regex(/^[\w.-]{1,100}$/, 'not a collector id')
            .describe('The collector to run, e.g. change-management.git'),
        entityRef: z =>
          z
            .string()
            .min(1)
            .max(255)
            .optional()
            .describe(
              'The catalog entity to collect for (collectors that collect per entity)',
            ),
        wait: z =>
          z
            .boolean()
            .optional()
            .describe('Wait for the run to finish (default true)'),
        timeoutSeconds: z =>
          z
            .number()
            .positive()
            .max(3600)
            .optional()
            .describe('How long to wait for the run (default 600)'),
      },
      output: {
        runId: z => z.string().optional(),
        state: z => z.string().optional(),
        itemIds: z => z.array(z.string()).optional(),
        runUrl: z => z.string().optional(),
        dryRun: z => z.boolean(),
      },
    },
    async handler(ctx) {
      const { collectorId, entityRef } = ctx.input;
      const wait = ctx.input.wait ?? true;
      const timeoutSeconds = ctx.input.timeoutSeconds ?? 600;
      const evidence = new EvidenceClient({
        ...options,
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      const target = entityRef ? `for ${entityRef}` : 'for the whole portal';

      if (ctx.isDryRun) {
        const collectors = await evidence.listCollectors();
        const collector = collectors.find(c => c.id === collectorId);
        if (!collector) {
          throw new NotFoundError(
            `No evidence collector ${collectorId}; the evidence plugin has ${
              collectors.map(c => c.id).join(', ') || 'none'
            }`,
          );
        }
        if (entityRef && !collector.perEntity) {
          throw new InputError(
            `Collector ${collectorId} collects for the whole portal, not for one entity: leave out entityRef`,
          );
        }
        ctx.logger.info(
          `Dry run: would start collector ${collectorId} (${
            collector.title
          }) ${target}${
            wait ? ` and wait up to ${timeoutSeconds} s` : ''
          }; nothing was started`,
        );
        ctx.output('dryRun', true);
        return;
      }

      const started = await evidence.startRun(collectorId, entityRef);
      ctx.logger.info(
        `Started run ${
          started.id
        } of collector ${collectorId} ${target}: ${runUrl(started.id)}`,
      );
      let run = { ...started, items: [] as Array<{ id: string }> };
      if (wait) {
        const { value, timedOut } = await evidence.waitForRun(started.id, {
          intervalMs: options.pollIntervalMs ?? 2000,
          timeoutMs: timeoutSeconds * 1000,
          signal: ctx.signal,
          onProgress: r =>
            ctx.logger.info(
              `Run ${r.id}: ${r.state}, ${r.itemCount} evidence item(s) filed`,
            ),
        });
        if (timedOut) {
          throw new Error(
            `Run ${
              started.id
            } of collector ${collectorId} was still running after ${timeoutSeconds} s; it goes on in the evidence plugin: ${runUrl(
              started.id,
            )}`,
          );
        }
        run = value;
        if (run.state === 'failed') {
          throw new Error(
            `Run ${run.id} of collector ${collectorId} failed: ${
              run.error ?? 'no reason given'
            } (${runUrl(run.id)})`,
          );
        }
      }
      ctx.output('runId', run.id);
      ctx.output('state', run.state);
      ctx.output(
        'itemIds',
        run.items.map(item => item.id),
      );
      ctx.output('runUrl', runUrl(run.id));
      ctx.output('dryRun', false);
    },
  });
}
