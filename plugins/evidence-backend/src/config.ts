import type { Config } from '@backstage/config';
import {
  blobStoreConfigSchema,
  readValidatedConfig,
} from '@internal/plugin-ops-node';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  KeyObject,
} from 'node:crypto';
import { z } from 'zod';

const pointSchema = z.object({
  id: z.string().regex(/^[A-Z][A-Z0-9]*\d*\.\d+$/, 'like A1.2 or PI1.1'),
  title: z.string().min(1).max(200),
});

/** `{ hours: 24 }`-style durations, as Backstage's scheduler takes them. */
const durationSchema = z
  .object({
    days: z.number().int().min(0).optional(),
    hours: z.number().int().min(0).optional(),
    minutes: z.number().int().min(0).optional(),
    seconds: z.number().int().min(0).optional(),
  })
  .strict();

export const evidenceConfigSchema = z
  .object({
    /** Years every item is kept before it may expire. */
    retentionYears: z.number().int().min(1).max(100).default(7),
    /** Criteria beyond CC1-CC9: A1, C1, PI1, P. */
    criteria: z
      .array(
        z.object({
          id: z.string().regex(/^[A-Z][A-Z0-9]*$/, 'like A1 or PI1'),
          title: z.string().min(1).max(200),
          points: z.array(pointSchema).min(1),
        }),
      )
      .default([]),
    /** Where evidence files and binders are kept (default: a local folder). */
    storage: blobStoreConfigSchema.default({ directory: '.data/evidence' }),
    uploads: z
      .object({
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(25 * 1024 * 1024),
        mediaTypes: z
          .array(z.string().regex(/^[\w.+-]+\/[\w.+-]+$/))
          .default([
            'application/pdf',
            'text/plain',
            'text/markdown',
            'text/csv',
            'application/json',
            'image/png',
            'image/jpeg',
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          ]),
      })
      .strict()
      .default({}),
    schedule: z
      .object({
        frequency: durationSchema.default({ hours: 24 }),
        timeout: durationSchema.default({ minutes: 30 }),
        initialDelay: durationSchema.default({ minutes: 1 }),
      })
      .strict()
      .default({}),
    binders: z
      .object({
        /** PKCS#8 PEM of the Ed25519 key that signs binder manifests. */
        signingKey: z.string().min(1),
        /** gzip level of binders: 0 stores (fastest), 9 packs tightest. */
        compressionLevel: z.number().int().min(0).max(9).default(1),
      })
      .strict(),
    // Settings of the built-in collectors, each validated where it is read
    // (collectors/builtIn.ts and the collectors' own config readers).
    builtInCollectors: z.unknown().optional(),
    changeManagement: z.unknown().optional(),
    backupRestore: z.unknown().optional(),
    demo: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .default({}),
  })
  .strict();

export type EvidenceConfig = z.output<typeof evidenceConfigSchema>;

/**
 * SHA-256 of the public key of the DEMO signing key committed in
 * app-config.yaml: refused outside demo mode, so production never signs
 * binders with a key everyone has.
 */
const COMMITTED_DEMO_KEY_FINGERPRINTS = new Set([
  'c5c2dbae17d45cb6c4d34f8a911b8b5473d84c1d85394defe6eed3bd5a2bc263',
]);

export function publicKeyFingerprint(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

export interface BinderKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

export function readBinderKeys(config: EvidenceConfig): BinderKeys {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(config.binders.signingKey);
  } catch (error) {
    throw new Error(
      `evidence.binders.signingKey is not a PEM private key: ${
        (error as Error).message
      }`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `evidence.binders.signingKey must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`,
    );
  }
  const fingerprint = publicKeyFingerprint(privateKey);
  if (
    !config.demo.enabled &&
    COMMITTED_DEMO_KEY_FINGERPRINTS.has(fingerprint)
  ) {
    throw new Error(
      'Refusing to start on the demo key: evidence.binders.signingKey is the key committed in app-config.yaml, for demo mode only. Set your own (EVIDENCE_BINDER_SIGNING_KEY in app-config.production.yaml).',
    );
  }
  return {
    privateKey,
    publicKeyPem: createPublicKey(privateKey)
      .export({ type: 'spki', format: 'pem' })
      .toString(),
    fingerprint,
  };
}

export function readEvidenceConfig(config: Config): EvidenceConfig {
  return readValidatedConfig(config, 'evidence', evidenceConfigSchema);
}
