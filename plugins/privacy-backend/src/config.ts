import type { Config } from '@backstage/config';
import {
  blobStoreConfigSchema,
  readValidatedConfig,
} from '@internal/plugin-ops-node';
import { REGIONS } from '@internal/plugin-privacy-common';
import { z } from 'zod';
import { committedKeysIn } from './demo/committedKeys';

const keySchema = z
  .object({ id: z.string().min(1), key: z.string().min(1) })
  .strict();

const regionSchema = z
  .object({
    /** The key that wraps new export data keys; its id is stored with each bundle. */
    masterKey: keySchema,
    /** Retired master keys, still needed to read older bundles. */
    previousKeys: z.array(keySchema).default([]),
    /** A local folder (`directory`) or an S3-compatible bucket (`s3`), not both. */
    storage: blobStoreConfigSchema,
  })
  .strict();

const privacyConfigSchema = z
  .object({
    sla: z
      .object({
        exportHours: z.number().positive().default(24),
        deleteHours: z.number().positive().default(72),
      })
      .strict()
      .default({}),
    /** Share of requests that must finish within SLA. */
    objective: z.number().gt(0).lt(1).default(0.95),
    /** Days an export download link stays valid. */
    exportLinkDays: z.number().int().positive().default(7),
    /** Encryption of subject identifiers at rest, and the pepper of their lookup hash. */
    identifiers: z
      .object({ key: keySchema, pepper: z.string().min(1) })
      .strict(),
    regions: z.record(z.enum(REGIONS), regionSchema),
    /** Connection settings by name; catalog Resources name them (privacy.ops.portal/connection). */
    connections: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .default({}),
    intakeRateLimit: z
      .object({ perMinute: z.number().int().positive().default(100) })
      .strict()
      .default({}),
    /** Demo data stores and requests for `yarn start`. Never in production. */
    demo: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .default({}),
  })
  .strict();

export type PrivacyConfig = z.output<typeof privacyConfigSchema>;

/**
 * The validated `privacy` config. Outside demo mode it refuses every key
 * committed in the repository: each is named, so an operator knows which
 * environment variables are missing.
 */
export function readPrivacyConfig(config: Config): PrivacyConfig {
  const privacy = readValidatedConfig(config, 'privacy', privacyConfigSchema);
  const committed = privacy.demo.enabled ? [] : committedKeysIn(privacy);
  if (committed.length > 0) {
    throw new Error(
      `Refusing to start on the demo keys committed in the repository (privacy.demo.enabled is false). ` +
        `Set your own key for each of: ${committed.join(', ')} ` +
        `(app-config.production.yaml reads them from PRIVACY_* environment variables; generate keys with \`openssl rand -base64 32\`).`,
    );
  }
  return privacy;
}
