import { DiscoveryService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { EvidenceClient } from '../pluginApis/evidenceClient';
import { PluginApiOptions } from '../pluginApis/pluginFetch';

/** The action's id. */
export const EVIDENCE_BINDER_ACTION_ID = 'ops:evidence:binder';

export type EvidenceBinderActionOptions = PluginApiOptions & {
  /** Also gives the plugin's external URL, for the download link. */
  discovery: Pick<DiscoveryService, 'getBaseUrl' | 'getExternalBaseUrl'>;
  /** How often the binder is read while waiting (default 2000 ms). */
  pollIntervalMs?: number;
};

/**
 * `ops:evidence:binder`: requests an auditor's binder of a period from the
 * evidence plugin as the template's initiator and waits until it is built.
 */
export function createEvidenceBinderAction(
  options: EvidenceBinderActionOptions,
) {
  return createTemplateAction({
    id: EVIDENCE_BINDER_ACTION_ID,
    description:
      'Requests a SOC 2 evidence binder for a period from the evidence plugin, as the person running the template, and waits until it is built.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Build the binder of the first quarter of 2025',
        example: [
          'steps:',
          '  - id: binder',
          '    action: ops:evidence:binder',
          '    name: Build the binder',
          '    input:',
          "      periodStart: '2025-01-01T00:00:00Z'",
          "      periodEnd: '2025-04-01T00:00:00Z'",
        ].join('\n'),
      },
      {
        description: 'A binder of two points only, without waiting',
        example: [
          'steps:',
          '  - id: binder',
          '    action: ops:evidence:binder',
          '    name: Request the binder',
          '    input:',
          '      periodStart: ${{ parameters.periodStart }}',
          '      periodEnd: ${{ parameters.periodEnd }}',
          '      points: [CC6.1, CC8.1]',
          '      wait: false',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        periodStart: z =>
          z
            .string()
            .datetime({ offset: true })
            .describe(
              'Start of the period, ISO 8601 with time and offset, e.g. 2025-01-01T00:00:00Z',
            ),
        periodEnd: z =>
          z
            .string()
            .datetime({ offset: true })
            .describe('End of the period (after its start), ISO 8601'),
        points: z =>
          z
            .array(z.string().min(1).max(100))
            .min(1)
            .max(500)
            .optional()
            .describe('The points to include, e.g. CC8.1; default: all'),
        wait: z =>
          z
            .boolean()
            .optional()
            .describe('Wait until the binder is built (default true)'),
        timeoutSeconds: z =>
          z
            .number()
            .positive()
            .max(3600)
            .optional()
            .describe('How long to wait for the binder (default 600)'),
      },
      output: {
        binderId: z => z.string().optional(),
        state: z => z.string().optional(),
        downloadUrl: z => z.string().optional(),
        sha256: z => z.string().optional(),
        dryRun: z => z.boolean(),
      },
    },
    async handler(ctx) {
      const { periodStart, periodEnd, points } = ctx.input;
      const wait = ctx.input.wait ?? true;
      const timeoutSeconds = ctx.input.timeoutSeconds ?? 600;
      if (Date.parse(periodStart) >= Date.parse(periodEnd)) {
        throw new InputError(
          `periodEnd (${periodEnd}) must be after periodStart (${periodStart})`,
        );
      }
      const period = `${periodStart} to ${periodEnd}`;
      const covering = points ? points.join(', ') : 'all points';
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would request a binder of ${period} covering ${covering}; nothing was requested`,
        );
        ctx.output('dryRun', true);
        return;
      }

      const evidence = new EvidenceClient({
        ...options,
        credentials: await ctx.getInitiatorCredentials(),
        signal: ctx.signal,
      });
      let binder = await evidence.requestBinder({
        periodStart,
        periodEnd,
        points,
      });
      ctx.logger.info(
        `Requested binder ${binder.id} of ${period} covering ${covering}`,
      );
      if (wait) {
        const { value, timedOut } = await evidence.waitForBinder(binder.id, {
          intervalMs: options.pollIntervalMs ?? 2000,
          timeoutMs: timeoutSeconds * 1000,
          signal: ctx.signal,
          onProgress: b =>
            ctx.logger.info(
              `Binder ${b.id}: ${b.state}, ${b.progress.files} of ${b.progress.totalFiles} files`,
            ),
        });
        if (timedOut) {
          throw new Error(
            `Binder ${binder.id} was not built after ${timeoutSeconds} s (${value.state}, ${value.progress.files} of ${value.progress.totalFiles} files); it goes on in the evidence plugin`,
          );
        }
        binder = value;
        if (binder.state === 'failed') {
          throw new Error(
            `Binder ${binder.id} failed: ${binder.error ?? 'no reason given'}`,
          );
        }
      }
      ctx.output('binderId', binder.id);
      ctx.output('state', binder.state);
      if (binder.state === 'ready') {
        const external = await options.discovery.getExternalBaseUrl(
          EvidenceClient.pluginId,
        );
        ctx.output(
          'downloadUrl',
          `${external}/binders/${encodeURIComponent(binder.id)}/download`,
        );
      }
      if (binder.sha256) ctx.output('sha256', binder.sha256);
      ctx.output('dryRun', false);
    },
  });
}
