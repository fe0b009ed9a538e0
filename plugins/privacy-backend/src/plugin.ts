import { randomUUID } from 'node:crypto';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  addMetricsRoute,
  createConfiguredQueue,
  committedAuditKeyPaths,
  createBlobStore,
  opsPluginDeps,
  readAuditKeyring,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import {
  PRIVACY_REQUEST_RESOURCE_TYPE,
  privacyPermissions,
} from '@internal/plugin-privacy-common';
import { readPrivacyConfig } from './config';
import { createDemoAccountsService } from './demo/demoAccountsService';
import { seedDemo } from './demo/seedDemo';
import { ActivityStore, createPrivacyMetrics } from './metrics';
import {
  RequestPermissions,
  RequestResources,
  privacyRequestResourceRef,
  privacyRequestRules,
} from './requestPermissions';
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
        // One refusal names every committed key, the audit key's included.
        const config = readPrivacyConfig(deps.config, () =>
          committedAuditKeyPaths(deps.config),
        );
        const auditKeyring = readAuditKeyring(deps.config, {
          allowCommittedKeys: config.demo.enabled,
        });
        const anchorStorage =
          config.auditAnchorStorage ??
          Object.values(config.regions).find(Boolean)?.storage;
        const queueSetup = createConfiguredQueue(deps.config, logger);
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-privacy-backend',
          permissions: privacyPermissions,
        });
        // The privacy-request resource type: its rules, for the permission
        // backend (apply-conditions) and for the routes' own checks.
        const requestResources = new RequestResources(db, config);
        deps.permissionsRegistry.addResourceType({
          resourceRef: privacyRequestResourceRef,
          permissions: privacyPermissions.filter(permission =>
            isResourcePermission(permission, PRIVACY_REQUEST_RESOURCE_TYPE),
          ),
          rules: Object.values(privacyRequestRules),
          getResources: ids => requestResources.getResources(ids),
        });
        const requestAccess = new RequestPermissions({
          resources: requestResources,
          ruleset: deps.permissionsRegistry.getPermissionRuleset(
            privacyRequestResourceRef,
          ),
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
        });

        const services = createPrivacyServices({
          db,
          config,
          queueDriver: queueSetup.driver,
          queueOptions: queueSetup.options,
          logger,
          auditKeyring,
          // The chain's head, anchored beside the exports: every replica
          // shares it. The demo's database lives in memory, so each start
          // is a new chain with an anchor of its own.
          auditAnchorStore: anchorStorage && createBlobStore(anchorStorage),
          auditChainId: config.demo.enabled
            ? `privacy-demo-${randomUUID()}`
            : 'privacy',
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
        // Expired export bundles leave storage (the rows stay, answering 410).
        await deps.scheduler.scheduleTask({
          id: 'privacy-purge-exports',
          frequency: { minutes: config.exportPurgeMinutes },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const { purged, failed } = await services.exports.purgeExpired();
            if (purged || failed) {
              logger.info(
                `Purged ${purged} expired export bundles${
                  failed ? `, ${failed} could not be deleted` : ''
                }`,
              );
            }
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
          createPrivacyMetrics({
            ...services,
            activity: new ActivityStore(db),
          }),
        );
        router.use(
          await createRouter({ config, allow, requestAccess, ...services }),
        );
      },
    });
  },
});
