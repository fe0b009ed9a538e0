import type { Config, JsonObject } from '@backstage/config';

import type { WinstonLoggerLevelOverride } from '@backstage/backend-defaults/rootLogger';
import { config as winstonConfig } from 'winston';
import { z } from 'zod';
import { readValidatedConfig } from '../config';

/** Values of `ops.logging.format`. `text` and `json` keep Backstage's own output. */
export const opsLogFormats = ['text', 'json', 'ecs'] as const;

/** @public */
export type OpsLogFormat = (typeof opsLogFormats)[number];

/**
 * `ops.logging.format`, validated: `ecs`, `text`, `json` or unset (undefined).
 * Anything else stops start-up, naming the key and the allowed values.
 */
export function readLogFormat(config: Config): OpsLogFormat | undefined {
  return readValidatedConfig(
    config,
    'ops.logging.format',
    z.enum(opsLogFormats).optional(),
  );
}

/** winston's npm levels (error … silly), the ones Backstage accepts. */
const level = z
  .string()
  .refine(l => Object.hasOwn(winstonConfig.npm.levels, l), {
    message: `must be one of ${Object.keys(winstonConfig.npm.levels).join(
      ', ',
    )}`,
  });

const backendLoggerSchema = z
  .object({
    level: level.optional(),
    meta: z.record(z.unknown()).optional(),
    overrides: z
      .array(
        z.object({
          matchers: z.record(z.unknown()),
          level,
        }),
      )
      .optional(),
    redactAllowlist: z.array(z.string()).optional(),
  })
  .passthrough()
  .default({});

/** The `backend.logger` settings Backstage's default root logger reads. */
export interface BackendLoggerConfig {
  level?: string;
  meta?: JsonObject;
  overrides: WinstonLoggerLevelOverride[];
  redactAllowlist: Set<string>;
}

/**
 * Reads `backend.logger.*` the way Backstage's root logger does (its reader
 * is not exported): level, meta, level overrides and the redaction allowlist.
 */
export function readBackendLoggerConfig(config: Config): BackendLoggerConfig {
  const section = readValidatedConfig(
    config,
    'backend.logger',
    backendLoggerSchema,
  );
  return {
    level: section.level,
    meta: section.meta as JsonObject | undefined,
    overrides: (section.overrides ?? []) as WinstonLoggerLevelOverride[],
    redactAllowlist: new Set(section.redactAllowlist?.map(a => a.trim())),
  };
}
