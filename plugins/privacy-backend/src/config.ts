import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import {
  blobStoreConfigSchema,
  readValidatedConfig,
} from '@internal/plugin-ops-node';
import { REGIONS, type Region } from '@internal/plugin-privacy-common';
import { HTTPS_ONLY_MESSAGE } from './connectors/HttpConnector';
import { z } from 'zod';
import { committedKeysIn } from './demo/committedKeys';

const keySchema = z
  .object({ id: z.string().min(1), key: z.string().min(1) })
  .strict();

/** The group that owns a region's requests when its config names none. */
export const DEFAULT_REGION_OWNER = 'group:default/privacy';

/** A Group entity ref, `group:<namespace>/<name>`; `privacy` alone means group:default/privacy. */
const groupRefSchema = z.string().transform((value, ctx) => {
  try {
    const ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    if (ref.kind.toLocaleLowerCase('en-US') === 'group') {
      return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
    }
  } catch {
    // reported below
  }
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: `Expected a Group entity ref such as group:default/privacy, got ${value}`,
  });
  return z.NEVER;
});

const regionSchema = z
  .object({
    /**
     * The group that owns the region's requests: its members meet the
     * privacy-request rule IS_REGION_OWNED_BY (see the README, Permissions).
     */
    owner: groupRefSchema.default(DEFAULT_REGION_OWNER),
    /** The key that wraps new export data keys; its id is stored with each bundle. */
    masterKey: keySchema,
    /** Retired master keys, still needed to read older bundles. */
    previousKeys: z.array(keySchema).default([]),
    /** A local folder (`directory`) or an S3-compatible bucket (`s3`), not both. */
    storage: blobStoreConfigSchema,
  })
  .strict();

/**
 * The keys every connection may carry besides those of its type (checked by
 * the connector, see connectors/): `demo` and the exclusion.
 */
const connectionEntrySchema = z
  .object({
    /** Used only while privacy.demo.enabled is true. */
    demo: z.boolean().optional(),
    /** Takes no part in exports and erasures; `excludedReason` says why. */
    excluded: z.boolean().default(false),
    excludedReason: z.string().trim().min(10).max(500).optional(),
  })
  .passthrough()
  .superRefine((entry, ctx) => {
    if (entry.excluded && !entry.excludedReason) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['excludedReason'],
        message:
          'an excluded connection needs a reason (10 to 500 characters): why its personal data is not exported or erased',
      });
    }
    if (!entry.excluded && entry.excludedReason) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['excludedReason'],
        message: 'only an excluded connection (excluded: true) takes a reason',
      });
    }
  });

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
    /**
     * Where the audit chain's head is anchored (see AuditAnchor); defaults to
     * the export storage of the first configured region.
     */
    auditAnchorStorage: blobStoreConfigSchema.optional(),
    /** Minutes between two purges of expired export bundles from storage. */
    exportPurgeMinutes: z.number().int().positive().default(60),
    /** Encryption of subject identifiers at rest, and the pepper of their lookup hash. */
    identifiers: z
      .object({ key: keySchema, pepper: z.string().min(1) })
      .strict(),
    regions: z.record(z.enum(REGIONS), regionSchema),
    /**
     * The data stores, by name. Every one takes part in every export and
     * erasure of its `region` unless `excluded`; catalog Resources naming
     * them (privacy.ops.portal/connection) only describe them.
     */
    connections: z.record(z.string(), connectionEntrySchema).default({}),
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
  .strict()
  .superRefine((privacy, ctx) => {
    // Subject ids and their data in clear on the network, and a signature
    // anyone on the path can capture: only the demo may do that.
    if (privacy.demo.enabled) return;
    for (const [name, entry] of Object.entries(privacy.connections)) {
      if (entry.demo || entry.type !== 'http' || typeof entry.url !== 'string')
        continue;
      if (/^http:/i.test(entry.url)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['connections', name, 'url'],
          message: HTTPS_ONLY_MESSAGE,
        });
      }
    }
  });

export type PrivacyConfig = z.output<typeof privacyConfigSchema>;

const ENVELOPE_KEYS = ['demo', 'excluded', 'excludedReason'] as const;

/** One connection as the executor sees it, from config alone. */
export interface ConfiguredConnection {
  name: string;
  region: Region;
  type: string;
  excluded: boolean;
  excludedReason: string | null;
  /** Its settings without the envelope keys, for createConnector. */
  settings: Record<string, unknown>;
}

/**
 * The connections in force: all of `privacy.connections` but `demo: true`
 * ones outside demo mode. Excluded ones are listed (with their reason) so
 * the sources report can show them; the executor skips them.
 */
export function configuredConnections(
  config: Pick<PrivacyConfig, 'connections' | 'demo'>,
): ConfiguredConnection[] {
  return Object.entries(config.connections)
    .filter(([, entry]) => !entry.demo || config.demo.enabled)
    .map(([name, entry]) => {
      const settings: Record<string, unknown> = { ...entry };
      for (const key of ENVELOPE_KEYS) delete settings[key];
      return {
        name,
        region: settings.region as Region,
        type: String(settings.type),
        excluded: entry.excluded,
        excludedReason: entry.excludedReason ?? null,
        settings,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The validated `privacy` config. Outside demo mode it refuses every key
 * committed in the repository: each is named, so an operator knows which
 * environment variables are missing.
 */
export function readPrivacyConfig(
  config: Config,
  /** More committed keys found elsewhere, e.g. the `ops.audit` key privacy signs with. */
  otherCommittedKeys: () => string[] = () => [],
): PrivacyConfig {
  const privacy = readValidatedConfig(config, 'privacy', privacyConfigSchema);
  const committed = privacy.demo.enabled
    ? []
    : [...committedKeysIn(privacy), ...otherCommittedKeys()];
  if (committed.length > 0) {
    throw new Error(
      `Refusing to start on the demo keys committed in the repository (privacy.demo.enabled is false). ` +
        `Set your own key for each of: ${committed.join(', ')} ` +
        `(app-config.production.yaml reads them from the PRIVACY_* and OPS_AUDIT_* environment variables; generate keys with \`openssl rand -base64 32\`).`,
    );
  }
  return privacy;
}
