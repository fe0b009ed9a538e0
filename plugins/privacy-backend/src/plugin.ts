import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  addMetricsRoute,
  createConfiguredQueue,
  LocalBlobStore,
  opsPluginDeps,
  readStorageConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { privacyPermissions } from '@internal/plugin-privacy-common';
import { readPrivacyConfig } from './config';
import { createDemoAccountsService } from './demo/demoAccountsService';
import { seedDemo } from './demo/seedDemo';
import { createPrivacyMetrics } from './metrics';
import { createRouter } from './router';
import { createPrivacyServices } from './services';
import { SLI_WINDOW_MINUTES, publishSli } from './sliPublisher';

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
        events: eventsServiceRef,
      },
      async init(deps) {
        const { logger } = deps;
        const config = readPrivacyConfig(deps.config);
        const queueSetup = createConfiguredQueue(deps.config, logger);
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-privacy-backend',
          permissions: privacyPermissions,
        });
        const services = createPrivacyServices({
          db,
          config,
          queueDriver: queueSetup.driver,
          queueOptions: queueSetup.options,
          logger,
          // The audit chain's head, anchored in the ops blob folder.
          auditAnchorStore: new LocalBlobStore(
            readStorageConfig(deps.config).directory,
          ),
          loadResources: async () => {
            const credentials = await deps.auth.getOwnServiceCredentials();
            const { items } = await deps.catalog.getEntities(
              { filter: { kind: 'Resource' } },
              { credentials },
            );
            return items;
          },
        });

        if (queueSetup.workers) {
          services.startWorkers();
        }
        await deps.scheduler.scheduleTask({
          id: 'privacy-reconcile-queue',
          frequency: { seconds: 30 },
          timeout: { seconds: 120 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            await services.reconcile();
          },
        });
        // SLI counts for the SLO plugin, pushed on the events service.
        await deps.scheduler.scheduleTask({
          id: 'privacy-publish-sli',
          frequency: { minutes: SLI_WINDOW_MINUTES },
          timeout: { minutes: 1 },
          fn: async () => {
            await publishSli({
              store: services.store,
              events: deps.events,
              objective: config.objective,
              now: new Date(),
            });
          },
        });
        deps.lifecycle.addShutdownHook(() => services.close());

        if (config.demo.enabled) {
          const secret = config.connections['accounts-dsar-api']?.secret;
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
          await seedDemo({ db, config, logger, ...services });
        }

        addMetricsRoute(
          router,
          deps.httpRouter,
          createPrivacyMetrics(services),
        );
        router.use(await createRouter({ config, allow, ...services }));
      },
    });
  },
});
