import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AuditChain,
  AuditChainer,
  CatalogServiceTargets,
  Outbox,
  OutboxWorker,
  addMetricsRoute,
  opsPluginDeps,
  pageQuerySchema,
  parseInput,
  readAuditKeyring,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import {
  SLO_OBJECTIVES_ANNOTATION,
  sloPermissions,
  sloReadPermission,
} from '@internal/plugin-slo-common';
import { AlertService } from './alerts/AlertService';
import { AlertStore } from './alerts/AlertStore';
import { committedNotificationSecrets, readSloConfig } from './config';
import { DemoTraffic } from './demo/DemoTraffic';
import { EvaluationService } from './evaluation/EvaluationService';
import { ExternalAlertService, readExternalRouting } from './external';
import {
  DemoSinkStore,
  createNotifiers,
  readNotificationTargets,
} from './notify';
import {
  ObjectiveDiscovery,
  RUNBOOK_ANNOTATION,
} from './objectives/ObjectiveDiscovery';
import { ObjectiveService } from './objectives/ObjectiveService';
import { ObjectiveStore } from './objectives/ObjectiveStore';
import { SloMetricsStore, createSloMetrics } from './metrics';
import { createRouter } from './router';
import { KnexSampleStore, SampleService } from './samples';
import {
  PRIVACY_SLI_TOPIC,
  PrivacySliSource,
  PrometheusSource,
} from './sources';

/** The SLO backend plugin: objectives, burn rates and alerts, under /api/slo. */
export const sloPlugin = createBackendPlugin({
  pluginId: 'slo',
  register(env) {
    env.registerInit({
      deps: {
        ...opsPluginDeps,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        discovery: coreServices.discovery,
        notifications: notificationService,
      },
      async init(deps) {
        const { config: rootConfig, logger } = deps;
        const config = readSloConfig(rootConfig);
        const externalRouting = readExternalRouting(
          rootConfig,
          readNotificationTargets(rootConfig),
        );
        const committed = config.demo.enabled
          ? []
          : committedNotificationSecrets(rootConfig);
        if (committed.length > 0) {
          throw new Error(
            `Refusing to start on the demo keys: the SLO notification secrets committed in app-config.yaml are for demo mode only. Set your own for each of: ${committed.join(
              ', ',
            )}`,
          );
        }
        const auditKeyring = readAuditKeyring(rootConfig, {
          allowCommittedKeys: config.demo.enabled,
        });
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-slo-backend',
          permissions: sloPermissions,
        });
        const links = {
          baseUrl: rootConfig.getOptionalString('app.baseUrl') ?? '',
        };

        const objectives = new ObjectiveStore(db);
        const samples = new KnexSampleStore(db);
        const alerts = new AlertStore(db);
        const outbox = new Outbox({ db, table: 'slo_outbox' });
        const audit = new AuditChain({
          db,
          tables: { events: 'slo_audit_events', pending: 'slo_audit_pending' },
          keyring: auditKeyring,
        });
        const demoSink = new DemoSinkStore(db);
        const notifiers = createNotifiers(
          rootConfig,
          { links: alerts, notifications: deps.notifications, demoSink },
          { demo: config.demo.enabled },
        );

        const discovery = new ObjectiveDiscovery({
          folders: config.objectiveFolders,
          loadEntities: async () => {
            const credentials = await deps.auth.getOwnServiceCredentials();
            const { items } = await deps.catalog.getEntities(
              // Components without the annotation are skipped by discovery.
              {
                filter: { kind: 'Component' },
                fields: [
                  'kind',
                  'metadata.name',
                  'metadata.namespace',
                  `metadata.annotations.${SLO_OBJECTIVES_ANNOTATION}`,
                  `metadata.annotations.${RUNBOOK_ANNOTATION}`,
                  'spec.owner',
                  'spec.system',
                ],
              },
              { credentials },
            );
            return items;
          },
          store: objectives,
          routing: {
            ...config.notifications.defaults,
            owners: config.notifications.owners,
          },
          logger,
        });
        const evaluation = new EvaluationService({
          db,
          objectives,
          alerts,
          outbox,
          audit,
          links,
          targets: new Set(Object.keys(notifiers)),
          logger,
        });
        const demoTraffic = config.demo.enabled
          ? new DemoTraffic({
              profiles: config.demo.profiles,
              objectives,
              samples,
              logger,
            })
          : undefined;

        // SLI sources besides the push API.
        const prometheus =
          config.prometheus &&
          new PrometheusSource({
            store: samples,
            logger,
            ...config.prometheus,
          });
        const privacySources = config.privacySli.objectives.map(
          objective =>
            new PrivacySliSource({
              store: samples,
              logger,
              objectiveExists: ref => objectives.exists(ref),
              objective: { baseId: objective.baseId },
              types: objective.types,
              regions: config.privacySli.regions,
              backfillMinutes: config.privacySli.backfillMinutes,
              ...PrivacySliSource.privacyBackend(deps),
            }),
        );
        if (privacySources.length > 0) {
          // One subscription; each source stores the samples of its objectives.
          await deps.events.subscribe({
            id: 'slo-privacy-sli',
            topics: [PRIVACY_SLI_TOPIC],
            onEvent: async ({ eventPayload }) => {
              for (const source of privacySources) {
                await source
                  .handleSliEvent(eventPayload)
                  .catch(error =>
                    logger.warn(
                      `Storing a privacy SLI sample failed: ${error}`,
                    ),
                  );
              }
            },
          });
        }
        const syncSources = async () => {
          const all = (await objectives.all()).map(o => o.objective);
          const now = new Date();
          await prometheus?.syncAll(all, now);
          for (const source of privacySources) {
            await source.syncAll(all, now);
          }
        };

        const chainer = new AuditChainer(audit, logger, undefined, {
          targets: new CatalogServiceTargets({
            catalog: deps.catalog,
            auth: deps.auth,
            logger,
          }),
        });
        chainer.start();
        // With no target configured there is nothing to deliver.
        const worker =
          Object.keys(notifiers).length > 0
            ? new OutboxWorker({
                outbox,
                deliverers: notifiers,
                logger,
                pollIntervalMs: 2_000,
              })
            : undefined;
        worker?.start();
        deps.lifecycle.addShutdownHook(async () => {
          await worker?.stop();
          await chainer.stop();
        });

        // The catalog loads after the backend starts: until discovery sees
        // an annotated component, look again every 10 s (for two minutes),
        // and evaluate only after, so alerts know their owners.
        let stopping = false;
        deps.lifecycle.addShutdownHook(() => {
          stopping = true;
        });
        const discovered = (async () => {
          for (let attempt = 1; attempt <= 12; attempt++) {
            const found = await discovery.run().catch(error => {
              logger.warn(`SLO discovery failed: ${error}`);
              return undefined;
            });
            if (found && found.entities > 0) return;
            if (stopping) return;
            await new Promise(resolve => setTimeout(resolve, 10_000).unref());
          }
        })();
        await deps.scheduler.scheduleTask({
          id: 'slo-discover-objectives',
          frequency: { minutes: config.discoveryIntervalMinutes },
          initialDelay: { minutes: 2 },
          timeout: { minutes: 5 },
          fn: async () => {
            await discovery.run();
          },
        });
        // Sources fill minutes on their own task: a slow Prometheus or a long
        // read-back never holds up the evaluation of what is stored.
        await deps.scheduler.scheduleTask({
          id: 'slo-sync-sources',
          frequency: { seconds: config.evaluationIntervalSeconds },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 5 },
          fn: async () => {
            await discovered;
            await syncSources();
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'slo-evaluate',
          frequency: { seconds: config.evaluationIntervalSeconds },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 5 },
          fn: async () => {
            await discovered;
            await demoTraffic?.feed();
            const summary = await evaluation.evaluateAll();
            if (summary.fired || summary.resolved || summary.failed) {
              logger.info(
                `SLO evaluation at ${summary.at}: ${summary.evaluated} evaluated, ${summary.fired} fired, ${summary.resolved} resolved, ${summary.failed} failed`,
              );
            }
          },
        });

        addMetricsRoute(
          router,
          deps.httpRouter,
          createSloMetrics({
            source: new SloMetricsStore(db, outbox),
            targets: Object.keys(notifiers),
          }),
        );
        router.use(
          await createRouter({
            objectives: new ObjectiveService({ db, store: objectives, links }),
            samples: new SampleService({
              store: samples,
              objectiveExists: ref => objectives.exists(ref),
            }),
            alerts: new AlertService({
              db,
              alerts,
              objectives,
              outbox,
              audit,
              links,
            }),
            allow,
            external: {
              httpAuth: deps.httpAuth,
              alerts: new ExternalAlertService({
                db,
                outbox,
                audit,
                routing: externalRouting,
                links,
              }),
            },
            extend: r => {
              r.get('/settings', allow(sloReadPermission), (_req, res) => {
                res.json({ demo: config.demo.enabled });
              });
              r.get(
                '/demo-sink',
                allow(sloReadPermission),
                async (req, res) => {
                  res.json(
                    await demoSink.list(
                      parseInput(pageQuerySchema.strict(), req.query),
                    ),
                  );
                },
              );
            },
          }),
        );
      },
    });
  },
});
