import type { Config } from '@backstage/config';
import { readValidatedConfig } from '@internal/plugin-ops-node';
import { z } from 'zod';

const targetNames = z.array(z.string().min(1)).default([]);

/**
 * The `slo` config, validated at start-up. `notifications.targets`,
 * `prometheus` and `privacySli` are validated by their own modules.
 */
export const sloConfigSchema = z
  .object({
    evaluationIntervalSeconds: z.number().int().min(10).max(3600).default(60),
    discoveryIntervalMinutes: z.number().int().min(1).max(1440).default(5),
    /** Folders of OpenSLO files, relative to the backend's working directory. */
    objectiveFolders: z.array(z.string().min(1)).default([]),
    notifications: z
      .object({
        targets: z.record(z.unknown()).default({}),
        /** Other plugins' alerts, per source (validated in src/external/config.ts). */
        external: z.record(z.unknown()).default({}),
        /** Targets of the default tiers of objectives with no alert policy. */
        defaults: z
          .object({ page: targetNames, ticket: targetNames })
          .strict()
          .default({}),
        /** Per owning group (entity ref), replacing the defaults. */
        owners: z
          .record(
            z
              .object({
                page: z.array(z.string().min(1)).optional(),
                ticket: z.array(z.string().min(1)).optional(),
              })
              .strict(),
          )
          .default({}),
      })
      .strict()
      .default({}),
    /** Read objectives whose SLI has Prometheus queries (their DataSource URL wins). */
    prometheus: z
      .object({
        baseUrl: z.string().url().optional(),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        backfillMinutes: z
          .number()
          .int()
          .min(1)
          .max(90 * 1440)
          .default(1440),
      })
      .strict()
      .optional(),
    /** The privacy plugin's DSAR SLA SLI: which objectives its samples feed. */
    privacySli: z
      .object({
        /** Per objective: its id before `:region=…,type=…`, and the request types it takes. */
        objectives: z
          .array(
            z
              .object({
                baseId: z.string().min(1),
                types: z.array(z.string().min(1)).min(1),
              })
              .strict(),
          )
          .default([]),
        regions: z.array(z.string().min(1)).default(['EU', 'US', 'UK', 'APAC']),
        /** How far back a first read-back goes (one request per 5-minute window). */
        backfillMinutes: z
          .number()
          .int()
          .min(5)
          .max(7 * 1440)
          .default(360),
      })
      .strict()
      .default({}),
    demo: z
      .object({
        enabled: z.boolean().default(false),
        /** Service name → demo traffic shape. */
        profiles: z
          .record(z.enum(['healthy', 'slow-burn', 'fast-burn', 'exhausted']))
          .default({}),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type SloConfig = z.output<typeof sloConfigSchema>;

export function readSloConfig(config: Config): SloConfig {
  return readValidatedConfig(config, 'slo', sloConfigSchema);
}

/**
 * The notification secrets committed in app-config.yaml for the demo. Outside
 * demo mode they are refused: production never sends with them.
 */
const COMMITTED_DEMO_SECRETS = new Set([
  'demo-routing-key',
  'xoxb-demo',
  'demo-token',
  'demo-api-key',
]);

/** The config paths of notification secrets that are the committed demo ones. */
export function committedNotificationSecrets(config: Config): string[] {
  const targets = config.getOptionalConfig('slo.notifications.targets');
  if (!targets) return [];
  return targets
    .keys()
    .flatMap(name =>
      ['routingKey', 'token', 'apiToken', 'apiKey']
        .filter(field =>
          COMMITTED_DEMO_SECRETS.has(
            targets.getOptionalString(`${name}.${field}`) ?? '',
          ),
        )
        .map(field => `slo.notifications.targets.${name}.${field}`),
    );
}
