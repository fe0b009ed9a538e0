import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  createConfiguredQueue,
  opsPluginDeps,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { privacyPermissions } from '@internal/plugin-privacy-common';
import { AuditLog, ConsentLedger } from './audit';
import { readPrivacyConfig } from './config';
import { createDemoAccountsService } from './demo/demoAccountsService';
import { seedDemo } from './demo/seedDemo';
import { DsarJob, DsarQueue } from './executor/DsarQueue';
import { Executor } from './executor/Executor';
import {
  closeRegionRuntimes,
  createRegionRuntimes,
} from './executor/RegionRuntime';
import { ResultStore } from './executor/ResultStore';
import { SourceResolver } from './executor/SourceResolver';
import { LegalHoldStore } from './holds';
import { createIdentifierProtection } from './identifiers';
import { RequestService } from './requests/RequestService';
import { RequestStore } from './requests/RequestStore';
import { createRouter } from './router';

/**
 * The privacy (DSAR) backend plugin, under /api/privacy: intake, the request
 * lifecycle, per-region execution on the job queue, exports, erasure proofs,
 * consent, the hash-chained audit log and SLA metrics.
 */
export const privacyPlugin = createBackendPlugin({
  pluginId: 'privacy',
  register(env) {
    env.registerInit({
      deps: {
        ...opsPluginDeps,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { logger } = deps;
        const settings = readPrivacyConfig(deps.config);
        const identifiers = createIdentifierProtection(settings);
        const regions = createRegionRuntimes(settings);
        const queueSetup = createConfiguredQueue(deps.config, logger);
        const { db, router, requirePermission } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-privacy-backend',
          permissions: privacyPermissions,
        });

        const store = new RequestStore(db, identifiers);
        const audit = new AuditLog(db);
        const consent = new ConsentLedger(db, audit);
        const holds = new LegalHoldStore(db, identifiers);
        const results = new ResultStore(db);
        const queue = new DsarQueue(
          queueSetup.driver.queue<DsarJob>('privacy-dsar', queueSetup.options),
          logger,
        );
        const requests = new RequestService({
          db,
          store,
          audit,
          dispatcher: queue,
          holds,
          config: settings,
        });
        const sources = new SourceResolver(async () => {
          const credentials = await deps.auth.getOwnServiceCredentials();
          const { items } = await deps.catalog.getEntities(
            { filter: { kind: 'Resource' } },
            { credentials },
          );
          return items;
        });
        const executor = new Executor({
          db,
          requests,
          store,
          results,
          audit,
          sources,
          regions,
          exportLinkDays: settings.exportLinkDays,
          logger,
        });

        if (queueSetup.workers) {
          queue.startWorkers(executor, requests);
        }
        await deps.scheduler.scheduleTask({
          id: 'privacy-reconcile-queue',
          frequency: { seconds: 30 },
          timeout: { seconds: 120 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            await queue.reconcile(store);
          },
        });
        deps.lifecycle.addShutdownHook(async () => {
          await queue.close();
          await queueSetup.driver.close();
          await closeRegionRuntimes(regions);
        });

        if (settings.demo.enabled) {
          const secret = settings.connections['accounts-dsar-api']?.secret;
          if (typeof secret === 'string') {
            deps.httpRouter.addAuthPolicy({
              path: '/demo/accounts-dsar',
              allow: 'unauthenticated',
            });
            router.use(
              '/demo/accounts-dsar',
              createDemoAccountsService(secret),
            );
          }
          await seedDemo({
            db,
            store,
            requests,
            audit,
            config: settings,
            logger,
          });
        }

        router.use(
          await createRouter({
            config: settings,
            store,
            requests,
            results,
            audit,
            consent,
            holds,
            identifiers,
            queue,
            regions,
            requirePermission,
          }),
        );
      },
    });
  },
});
