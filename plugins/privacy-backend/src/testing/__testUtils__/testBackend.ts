import type { ServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import type { Knex } from 'knex';
import { join } from 'node:path';
import { privacyPlugin } from '../../plugin';
import { key32 } from '../harness';

/**
 * The privacy plugin on a test backend over `knex`, with fresh keys, the
 * in-memory queue (no workers unless `ops.queue` says otherwise), blobs and
 * one EU region under `dir`. `ops` and `privacy` are merged over those
 * defaults one level deep; `permissions` defaults to allowing everything.
 */
export async function startPrivacyTestBackend(options: {
  knex: Knex;
  dir: string;
  permissions?: ServiceFactory;
  entities?: Entity[];
  ops?: Record<string, unknown>;
  privacy?: Record<string, unknown>;
}) {
  const { knex, dir } = options;
  return startTestBackend({
    features: [
      privacyPlugin,
      mockServices.database.factory({ knex }),
      options.permissions ??
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      mockServices.rootConfig.factory({
        data: {
          ops: {
            audit: { signingKey: TEST_AUDIT_KEY },
            queue: { driver: 'memory', workers: false },
            storage: { directory: join(dir, 'blobs') },
            ...options.ops,
          },
          privacy: {
            identifiers: {
              key: { id: 'test-ids', key: key32() },
              pepper: key32(),
            },
            regions: {
              EU: {
                masterKey: { id: 'eu-1', key: key32() },
                storage: { directory: join(dir, 'EU') },
              },
            },
            ...options.privacy,
          },
        },
      }),
    ],
  });
}
