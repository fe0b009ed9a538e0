import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { COMMON_CRITERIA } from '@internal/plugin-evidence-common';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import { LocalBlobStore } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import type { Knex } from 'knex';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BinderKeys } from '../config';
import { publicKeyFingerprint } from '../config';
import { createEvidenceServices } from '../services';

/** Migrates a test database to the plugin's latest schema. */
export async function migrateEvidence(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-evidence-backend',
      'migrations',
    ),
  });
}

/** A fresh Ed25519 key pair, as `readBinderKeys` gives it. */
export function testBinderKeys(): BinderKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: publicKeyFingerprint(privateKey),
  };
}

/**
 * The plugin's services on a migrated test database, with files in a fresh
 * temporary folder and a clock the test can move.
 */
export async function evidenceTestServices(
  knex: Knex,
  options: {
    collectors?: EvidenceCollector[];
    clock?: () => Date;
    retentionYears?: number;
  } = {},
) {
  await migrateEvidence(knex);
  const folder = await mkdtemp(join(tmpdir(), 'evidence-test-'));
  const blobs = new LocalBlobStore(folder, { now: options.clock });
  const services = createEvidenceServices({
    db: knex,
    blobs,
    auditKeyring: testAuditKeyring(),
    criteria: COMMON_CRITERIA,
    retentionYears: options.retentionYears ?? 7,
    binderKeys: testBinderKeys(),
    collectors: options.collectors ?? [],
    logger: mockServices.logger.mock(),
    clock: options.clock,
  });
  return { ...services, blobs, folder };
}
