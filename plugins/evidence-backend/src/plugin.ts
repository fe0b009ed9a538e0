import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  evidencePermissions,
  mergeCriteria,
} from '@internal/plugin-evidence-common';
import {
  EvidenceCollector,
  evidenceCollectorsExtensionPoint,
} from '@internal/plugin-evidence-node';
import {
  AuditChainer,
  addMetricsRoute,
  createBlobStore,
  opsPluginDeps,
  readAuditKeyring,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createBuiltInCollectors } from './collectors/builtIn';
import { readBinderKeys, readEvidenceConfig } from './config';
import { INTENT_SWEEP_AGE_MS } from './items/EvidenceService';
import { EvidenceMetricsStore, createEvidenceMetrics } from './metrics';
import { createRouter } from './router';
import { createEvidenceServices } from './services';

/** The SOC 2 evidence backend plugin, under /api/evidence. */
export const evidencePlugin = createBackendPlugin({
  pluginId: 'evidence',
  register(env) {
    const added: EvidenceCollector[] = [];
    env.registerExtensionPoint(evidenceCollectorsExtensionPoint, {
      addCollector(...collectors) {
        added.push(...collectors);
      },
    });
    env.registerInit({
      deps: {
        ...opsPluginDeps,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const { config: rootConfig, logger } = deps;
        const config = readEvidenceConfig(rootConfig);
        const keys = readBinderKeys(config);
        const auditKeyring = readAuditKeyring(rootConfig, {
          allowCommittedKeys: config.demo.enabled,
        });
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-evidence-backend',
          permissions: evidencePermissions,
        });
        const criteria = mergeCriteria(config.criteria);
        const builtIn = createBuiltInCollectors({
          config: rootConfig,
          db,
          demo: config.demo.enabled,
          availabilityCriteria: criteria.some(c =>
            c.points.some(p => p.id === 'A1.2'),
          ),
          auth: deps.auth,
          discovery: deps.discovery,
          loadComponents: async () => {
            const { items } = await deps.catalog.getEntities(
              { filter: { kind: 'Component' } },
              { credentials: await deps.auth.getOwnServiceCredentials() },
            );
            return items;
          },
        });
        const services = createEvidenceServices({
          db,
          blobs: createBlobStore(config.storage),
          auditKeyring,
          criteria,
          retentionYears: config.retentionYears,
          binderKeys: keys,
          binderCompressionLevel: config.binders.compressionLevel,
          collectors: [...builtIn, ...added],
          logger,
          wakeBinderBuilder: () => {
            deps.scheduler.triggerTask('evidence-build-binders').catch(() => {
              // Already running: it picks the new binder up on its way.
            });
          },
        });
        const { audit, runs, evidence, collectors, binders } = services;

        // What a process that died left behind: runs marked failed, blobs
        // without rows removed (or locked, when their row did commit).
        const startedAt = new Date();
        await runs.failAbandoned(startedAt, startedAt);
        await evidence.sweepIntents(
          new Date(startedAt.getTime() - INTENT_SWEEP_AGE_MS),
        );

        const chainer = new AuditChainer(audit, logger);
        chainer.start();
        deps.lifecycle.addShutdownHook(async () => {
          await collectors.stop();
          await chainer.stop();
        });

        await deps.scheduler.scheduleTask({
          id: 'evidence-build-binders',
          frequency: { seconds: 30 },
          timeout: { hours: 2 },
          initialDelay: { seconds: 5 },
          fn: async () => {
            await binders.buildPending();
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'evidence-collect',
          frequency: config.schedule.frequency,
          timeout: config.schedule.timeout,
          initialDelay: config.demo.enabled
            ? { seconds: 20 }
            : config.schedule.initialDelay,
          fn: async () => {
            await collectors.runAll({
              trigger: config.demo.enabled ? 'demo' : 'schedule',
              requestedBy: 'evidence:scheduler',
            });
          },
        });
        // Intents an hour old belong to a filing that died: one that
        // restarted at once is finished here, not at the next start.
        await deps.scheduler.scheduleTask({
          id: 'evidence-sweep-intents',
          frequency: { minutes: 15 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 15 },
          fn: async () => {
            await evidence.sweepIntents(
              new Date(Date.now() - INTENT_SWEEP_AGE_MS),
            );
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'evidence-expire',
          frequency: { hours: 24 },
          timeout: { hours: 1 },
          initialDelay: { minutes: 10 },
          fn: async () => {
            const expired = await evidence.expire();
            if (expired > 0) {
              logger.info(`Expired ${expired} evidence items past retention`);
            }
          },
        });

        addMetricsRoute(
          router,
          deps.httpRouter,
          createEvidenceMetrics({
            source: new EvidenceMetricsStore(db),
            coverage: services.coverage,
          }),
        );
        router.use(
          createRouter({
            ...services,
            allow,
            uploads: config.uploads,
            publicKeyPem: keys.publicKeyPem,
          }),
        );
      },
    });
  },
});
