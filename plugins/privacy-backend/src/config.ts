import type { Config } from '@backstage/config';
import { readValidatedConfig } from '@internal/plugin-ops-node';
import { REGIONS, Region } from '@internal/plugin-privacy-common';
import { z } from 'zod';
import { isBlobKey } from './execution/storage';

const keySchema = z
  .object({ id: z.string().min(1), key: z.string().min(1) })
  .strict();

const s3StorageSchema = z
  .object({
    bucket: z.string().min(1),
    /** Keys go under `<prefix>/`. */
    prefix: z
      .string()
      .refine(isBlobKey, {
        message:
          'use letters, digits and ._=+@- separated by single "/", without a leading or trailing "/"',
      })
      .optional(),
    region: z.string().min(1).default('us-east-1'),
    /** For S3-compatible services (MinIO, Ceph, ...). */
    endpoint: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .optional(),
    /** Default true when `endpoint` is set. */
    forcePathStyle: z.boolean().optional(),
    /** Without them the AWS SDK's default credential chain is used. */
    credentials: z
      .object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

type StorageSettings =
  | { directory: string }
  | { s3: z.output<typeof s3StorageSchema> };

/** A local folder (`directory`) or an S3-compatible bucket (`s3`), not both. */
const storageSchema = z
  .object({
    directory: z.string().min(1).optional(),
    s3: s3StorageSchema.optional(),
  })
  .strict()
  .transform(({ directory, s3 }, ctx): StorageSettings => {
    if (s3 && directory === undefined) return { s3 };
    if (directory !== undefined && !s3) return { directory };
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        'set either directory (a local folder) or s3 (an S3-compatible bucket), exactly one',
    });
    return z.NEVER;
  });

const regionSchema = z
  .object({
    /** The key that wraps new export data keys; its id is stored with each bundle. */
    masterKey: keySchema,
    /** Retired master keys, still needed to read older bundles. */
    previousKeys: z.array(keySchema).default([]),
    storage: storageSchema,
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
export type RegionConfig = z.output<typeof regionSchema>;

export function readPrivacyConfig(config: Config): PrivacyConfig {
  return readValidatedConfig(config, 'privacy', privacyConfigSchema);
}

export function regionConfig(
  config: PrivacyConfig,
  region: Region,
): RegionConfig {
  const found = config.regions[region];
  if (!found) throw new Error(`No privacy.regions.${region} configured`);
  return found;
}
