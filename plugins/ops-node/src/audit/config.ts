import type { Config } from '@backstage/config';
import { z } from 'zod';
import { readValidatedConfig } from '../config';
import { AuditKey, AuditKeyring, secretFingerprint } from './AuditKeyring';

/** The demo audit key committed in app-config.yaml: anyone can read it. */
const COMMITTED_AUDIT_KEY_IDS = new Set(['demo-audit-1']);
const COMMITTED_AUDIT_KEY_SHA256 = new Set([
  '5178a4d9821cc908b55dc9e7e6c5d4708ad008784dbd6cc8a491b50562481e3c',
]);

const keySchema = z
  .object({
    id: z.string().min(1).max(64),
    key: z
      .string()
      .min(32, 'use at least 32 characters, e.g. openssl rand -base64 32'),
  })
  .strict();

const auditConfigSchema = z
  .object({
    /** The key that signs new rows; its id is stored with each. */
    signingKey: keySchema,
    /** Retired keys, still needed to verify the rows they signed. */
    previousKeys: z.array(keySchema).default([]),
  })
  .strict();

function readAuditKeys(config: Config): Array<AuditKey & { path: string }> {
  const audit = readValidatedConfig(config, 'ops.audit', auditConfigSchema);
  return [
    { ...audit.signingKey, path: 'ops.audit.signingKey' },
    ...audit.previousKeys.map((key, i) => ({
      ...key,
      path: `ops.audit.previousKeys.${i}`,
    })),
  ];
}

/** The config paths of audit keys that are the demo key committed in the repository. */
export function committedAuditKeyPaths(config: Config): string[] {
  return readAuditKeys(config)
    .filter(
      key =>
        COMMITTED_AUDIT_KEY_IDS.has(key.id) ||
        COMMITTED_AUDIT_KEY_SHA256.has(secretFingerprint(key.key)),
    )
    .map(key => key.path);
}

/**
 * The audit keyring from `ops.audit`: the signing key first, then retired
 * ones (rotation: the new key signs, the old ones still verify). Unless
 * `allowCommittedKeys` (demo mode), it refuses the demo key committed in the
 * repository, naming it, so production never signs with a key anyone can read.
 */
export function readAuditKeyring(
  config: Config,
  options: { allowCommittedKeys: boolean },
): AuditKeyring {
  const committed = committedAuditKeyPaths(config);
  if (committed.length > 0 && !options.allowCommittedKeys) {
    throw new Error(
      `Refusing to sign audit chains with the demo key committed in the repository. ` +
        `Set your own key for each of: ${committed.join(', ')} ` +
        `(app-config.production.yaml reads it from OPS_AUDIT_KEY_ID and OPS_AUDIT_KEY; generate one with \`openssl rand -base64 32\`).`,
    );
  }
  return new AuditKeyring(
    readAuditKeys(config).map(({ id, key }) => ({ id, key })),
    'ops',
  );
}
