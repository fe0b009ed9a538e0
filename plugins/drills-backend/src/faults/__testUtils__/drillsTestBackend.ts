import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  SignalPayload,
  SignalsService,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import type { Knex } from 'knex';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drillsPlugin } from '../../plugin';

/** The runbooks folder of the repository: the six rotating scenarios and more. */
export const RUNBOOKS = join(__dirname, '../../../../../runbooks');

export const FEED_SECRET = 'drills-test-calendar-feed-secret-0123456789';
export const API = '/api/drills';

export interface DrillsTestBackend {
  server: Server;
  knex: Knex;
  /** The storage folder of attachments (removed by `stop`). */
  storage: string;
  /** The mock signals service's `publish`: every change the plugin announced. */
  publish: jest.Mock<Promise<void>, [SignalPayload]>;
  stop(): Promise<void>;
}

/**
 * The real drills plugin on a fresh test database, with a mock signals
 * service that records what it is asked to publish. Requests without an
 * Authorization header are unauthenticated (not the default mock user), so
 * a test can tell the open feed from the rest.
 */
export async function startDrillsBackend(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    maxAttachmentMegabytes?: number;
    /** Files finished runs with the evidence plugin at this base URL. */
    evidenceBaseUrl?: string;
  } = {},
): Promise<DrillsTestBackend> {
  const knex = await databases.init(databaseId);
  const storage = await mkdtemp(join(tmpdir(), 'drills-test-'));
  const publish: DrillsTestBackend['publish'] = jest.fn(
    async (_signal: SignalPayload) => {},
  );
  const signals = { publish } as SignalsService;
  const backend = await startTestBackend({
    features: [
      drillsPlugin,
      createServiceFactory({
        service: signalsServiceRef,
        deps: {},
        factory: () => signals,
      }),
      mockServices.database.factory({ knex }),
      ...(options.evidenceBaseUrl
        ? [
            createServiceFactory({
              service: coreServices.discovery,
              deps: {},
              factory: () => ({
                getBaseUrl: async (pluginId: string) =>
                  pluginId === 'evidence'
                    ? options.evidenceBaseUrl!
                    : `http://localhost/api/${pluginId}`,
                getExternalBaseUrl: async (pluginId: string) =>
                  `http://localhost/api/${pluginId}`,
              }),
            }),
          ]
        : []),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.permissions.factory({
        result: options.permission ?? AuthorizeResult.ALLOW,
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.test' },
          ops: { audit: { signingKey: TEST_AUDIT_KEY } },
          drills: {
            runbooksDirectory: RUNBOOKS,
            calendar: { timezone: 'Europe/Berlin', rotationStart: '2026-01' },
            storage: { directory: storage },
            maxAttachmentMegabytes: options.maxAttachmentMegabytes ?? 1,
            calendarFeed: { secret: FEED_SECRET },
            evidenceFiling: { enabled: Boolean(options.evidenceBaseUrl) },
          },
        },
      }),
    ],
  });
  return {
    server: backend.server,
    knex,
    storage,
    publish,
    async stop() {
      await backend.stop();
      await rm(storage, { recursive: true, force: true });
    },
  };
}

/** The Authorization header of a signed-in user, `user:default/<name>`. */
export const as = (name: string) =>
  mockCredentials.user.header(`user:default/${name}`);
