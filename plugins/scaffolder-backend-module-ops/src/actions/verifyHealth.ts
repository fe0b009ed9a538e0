import { stringifyEntityRef } from '@backstage/catalog-model';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { SloClient } from '../health/sloClient';
import { notHealthyError, verifyHealth } from '../health/verifyHealth';
import { PluginApiOptions } from '../pluginApis/pluginFetch';
import { EntitySource, entityReader } from './catalogEntity';

/** The action's id. */
export const VERIFY_HEALTH_ACTION_ID = 'ops:verify:health';

export type VerifyHealthActionOptions = PluginApiOptions &
  EntitySource & {
    /** Overrides for the timing (tests). */
    timing?: { pollIntervalMs?: number; requestTimeoutMs?: number };
  };

/**
 * `ops:verify:health`: waits until a catalog entity is healthy again, by its
 * objectives in the SLO plugin (read as the template's initiator) or its
 * `ops.portal/health-url`, and fails the step if it is not within the time.
 */
export function createVerifyHealthAction(options: VerifyHealthActionOptions) {
  const readEntity = entityReader(options, VERIFY_HEALTH_ACTION_ID);

  return createTemplateAction({
    id: VERIFY_HEALTH_ACTION_ID,
    description:
      'Waits until a catalog entity is healthy: no fast-burn (page) SLO alert firing on its objectives, or its ops.portal/health-url answering 2xx. Fails when it is not within the time.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Verify health after a rollback (up to 3 minutes)',
        example: [
          'steps:',
          '  - id: verify',
          '    action: ops:verify:health',
          '    name: Verify health',
          '    input:',
          '      entityRef: ${{ parameters.entity }}',
        ].join('\n'),
      },
      {
        description: 'Wait up to 10 minutes, checking every 30 seconds',
        example: [
          'steps:',
          '  - id: verify',
          '    action: ops:verify:health',
          '    name: Verify health',
          '    input:',
          '      entityRef: component:default/payments',
          '      timeoutSeconds: 600',
          '      pollSeconds: 30',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'The catalog entity to check, e.g. component:default/payments',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .positive()
            .max(3600)
            .optional()
            .describe('How long to wait for health (default 180)'),
        pollSeconds: z =>
          z
            .number()
            .min(1)
            .optional()
            .describe('How often to check (default 10)'),
      },
      output: {
        healthy: z => z.boolean(),
        source: z => z.enum(['slo', 'health-url']),
        details: z => z.string(),
        checkedAt: z => z.string(),
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      const dryRun = ctx.isDryRun ?? false;
      const { entity } = await readEntity(input.entityRef, ctx);
      const credentials = await ctx.getInitiatorCredentials();
      const timeoutMs = (input.timeoutSeconds ?? 180) * 1000;
      const pollIntervalMs =
        options.timing?.pollIntervalMs ?? (input.pollSeconds ?? 10) * 1000;
      const result = await verifyHealth({
        entity,
        slo: signal =>
          new SloClient({
            auth: options.auth,
            discovery: options.discovery,
            fetch: options.fetch,
            credentials,
            signal,
          }),
        fetch: options.fetch,
        timeoutMs: dryRun ? 0 : timeoutMs,
        pollIntervalMs,
        sloTimeoutMs: options.timing?.requestTimeoutMs,
        signal: ctx.signal,
        log: message => ctx.logger.info(message),
      });
      if (dryRun) {
        ctx.logger.info(
          `Dry run: checked once (${
            result.healthy ? 'healthy' : 'not healthy'
          }); a real run would check every ${
            pollIntervalMs / 1000
          } s for up to ${
            timeoutMs / 1000
          } s until it is healthy, and fail if it is not`,
        );
      } else if (!result.healthy) {
        throw notHealthyError(stringifyEntityRef(entity), result, timeoutMs);
      }
      ctx.output('healthy', result.healthy);
      ctx.output('source', result.source);
      ctx.output('details', result.details);
      ctx.output('checkedAt', result.checkedAt);
    },
  });
}
