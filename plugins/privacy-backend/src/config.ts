import type { Config } from '@backstage/config';
import { readValidatedConfig } from '@internal/plugin-ops-node';
import { z } from 'zod';

const privacyConfigSchema = z
  .object({
    sla: z
      .object({
        exportHours: z.number().positive().default(24),
        deleteHours: z.number().positive().default(72),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type PrivacyConfig = z.output<typeof privacyConfigSchema>;

export function readPrivacyConfig(config: Config): PrivacyConfig {
  return readValidatedConfig(config, 'privacy', privacyConfigSchema);
}
