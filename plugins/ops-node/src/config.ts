import type { Config } from '@backstage/config';
import { parseOrThrow } from './schema';
import { z } from 'zod';

/**
 * Reads the config value at `key` and validates it with `schema`, so a wrong
 * value stops start-up with a message that names the offending key, e.g.
 * `Invalid configuration at privacy.sla.exportHours: Expected number, received string`.
 * Defaults belong in the schema (`.default(...)`).
 */
export function readValidatedConfig<S extends z.ZodTypeAny>(
  config: Config,
  key: string,
  schema: S,
): z.output<S> {
  return parseOrThrow(
    schema,
    config.getOptional(key) ?? undefined,
    problems =>
      new Error(
        problems
          .map(problem => `Invalid configuration at ${problem}`)
          .join('; '),
      ),
    key,
  );
}

const queueConfigSchema = z
  .object({
    driver: z.enum(['memory', 'bullmq']).default('memory'),
    redis: z.object({ url: z.string().url() }).strict().optional(),
    prefix: z.string().min(1).default('ops'),
    concurrency: z.number().int().positive().default(10),
    attempts: z.number().int().min(1).max(20).default(3),
    backoffSeconds: z.number().positive().default(30),
    rateLimit: z
      .object({
        max: z.number().int().positive(),
        durationSeconds: z.number().positive(),
      })
      .strict()
      .default({ max: 100, durationSeconds: 60 }),
    workers: z.boolean().default(true),
  })
  .strict()
  .default({})
  .refine(queue => queue.driver !== 'bullmq' || queue.redis !== undefined, {
    message: 'redis.url is required when driver is bullmq',
  });

const storageConfigSchema = z
  .object({ directory: z.string().min(1).default('.data/blobs') })
  .strict()
  .default({});

export type OpsQueueConfig = z.output<typeof queueConfigSchema>;
export type OpsStorageConfig = z.output<typeof storageConfigSchema>;

/** `ops.api`: whether this process serves the plugins' HTTP API (false: workers only). */
export function readApiEnabled(config: Config): boolean {
  return readValidatedConfig(config, 'ops.api', z.boolean().default(true));
}

/** The `ops.queue` section shared by every ops backend plugin. */
export function readQueueConfig(config: Config): OpsQueueConfig {
  return readValidatedConfig(config, 'ops.queue', queueConfigSchema);
}

/** The `ops.storage` section: where plugins keep blobs (exports, evidence files). */
export function readStorageConfig(config: Config): OpsStorageConfig {
  return readValidatedConfig(config, 'ops.storage', storageConfigSchema);
}
