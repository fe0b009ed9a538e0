import { z } from 'zod';
import { isBlobKey } from './keys';
import type { S3BlobStoreOptions } from './S3BlobStore';

/** The settings {@link createBlobStore} takes: a local folder or an S3 bucket. */
export type BlobStoreConfig =
  | { directory: string }
  | { s3: S3BlobStoreOptions };

const s3ConfigSchema = z
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
    /**
     * For a bucket with Object Lock enabled: the lock mode of retained
     * objects (writes with `retainUntil`), and optionally `retainDays`, a
     * retention every object written gets at least.
     */
    objectLock: z
      .object({
        mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
        retainDays: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Validates blob store settings as a plugin reads them from its config
 * (e.g. with `readValidatedConfig`): either `directory` (a local folder) or
 * `s3` (`bucket`, optional `prefix`, `region` (default us-east-1),
 * `endpoint`, `forcePathStyle`, `credentials`, `objectLock: { mode,
 * retainDays? }`), exactly one.
 */
export const blobStoreConfigSchema: z.ZodType<
  BlobStoreConfig,
  z.ZodTypeDef,
  unknown
> = z
  .object({
    directory: z.string().min(1).optional(),
    s3: s3ConfigSchema.optional(),
  })
  .strict()
  .transform(({ directory, s3 }, ctx): BlobStoreConfig => {
    if (s3 && directory === undefined) return { s3 };
    if (directory !== undefined && !s3) return { directory };
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        'set either directory (a local folder) or s3 (an S3-compatible bucket), exactly one',
    });
    return z.NEVER;
  });
