import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import { evidenceCollectorsExtensionPoint } from '@internal/plugin-evidence-node';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { generateKeyPairSync } from 'node:crypto';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { BUILT_IN_COLLECTOR_IDS } from '../collectors/builtIn';
import { evidencePlugin } from '../plugin';

/** A module adding collectors through the extension point, as an adopter would. */
export const collectorsModule = (collectors: EvidenceCollector[]) =>
  createBackendModule({
    pluginId: 'evidence',
    moduleId: 'test-collectors',
    register(env) {
      env.registerInit({
        deps: { extension: evidenceCollectorsExtensionPoint },
        async init({ extension }) {
          extension.addCollector(...collectors);
        },
      });
    },
  });

/**
 * The real evidence plugin on a test database, with its files in a fresh
 * folder, a fresh binder key and the given collectors.
 */
export async function startEvidenceBackend(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  options: {
    collectors?: EvidenceCollector[];
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    evidence?: Record<string, unknown>;
    entities?: Entity[];
  } = {},
): Promise<{ server: Server; knex: Knex; folder: string }> {
  const knex = await databases.init(databaseId);
  const folder = await mkdtemp(join(tmpdir(), 'evidence-plugin-'));
  const { privateKey } = generateKeyPairSync('ed25519');
  const { server } = await startTestBackend({
    features: [
      evidencePlugin,
      collectorsModule(options.collectors ?? []),
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      mockServices.rootConfig.factory({
        data: {
          ops: { audit: { signingKey: TEST_AUDIT_KEY } },
          evidence: {
            storage: { directory: folder },
            binders: {
              signingKey: privateKey
                .export({ type: 'pkcs8', format: 'pem' })
                .toString(),
            },
            // Only the given collectors, unless a test asks for built-ins.
            builtInCollectors: { disabled: [...BUILT_IN_COLLECTOR_IDS] },
            ...options.evidence,
          },
        },
      }),
    ],
  });
  return { server, knex, folder };
}
