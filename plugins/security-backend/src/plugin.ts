import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { securityPermissions } from '@internal/plugin-security-common';
import {
  AuditChain,
  AuditChainer,
  Outbox,
  OutboxWorker,
  addMetricsRoute,
  opsLogTapServiceRef,
  opsPluginDeps,
  readAuditKeyring,
  readValidatedConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { createEnricher } from '@internal/plugin-security-node';
import {
  AlertStore,
  SECURITY_AUDIT_TABLES,
  SECURITY_OUTBOX_TABLE,
  SLO_TARGET,
} from './alerts';
import { rulesOf, securityConfigSchema, severityRouting } from './config';
import { seedDemoAlerts } from './demo';
import { createSecurityMetrics } from './metrics';
import { sloAlertDeliverer } from './notify';
import { LivePipeline } from './pipeline';
import { Detector, EventStream, PipelineStatus } from './stream';
import { createRouter } from './router';

const MAX_ATTEMPTS = 8;

/** The security backend plugin, under /api/security. */
export const securityPlugin = createBackendPlugin({
  pluginId: 'security',
  register(env) {
    env.registerInit({
      deps: {
        ...opsPluginDeps,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        tap: opsLogTapServiceRef,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { config: rootConfig, logger } = deps;
        const config = readValidatedConfig(
          rootConfig,
          'security',
          securityConfigSchema,
        );
        const rules = rulesOf(config);
        const enrich = await createEnricher({
          geoipDatabasePath: config.geoip?.database,
        });
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-security-backend',
          permissions: securityPermissions,
        });
        const audit = new AuditChain({
          db,
          tables: SECURITY_AUDIT_TABLES,
          keyring: readAuditKeyring(rootConfig, {
            allowCommittedKeys: config.demo.enabled,
          }),
        });
        const chainer = new AuditChainer(audit, logger, 100, {
          service: 'security',
        });
        chainer.start();
        deps.lifecycle.addShutdownHook(() => chainer.stop());

        const outbox = new Outbox({ db, table: SECURITY_OUTBOX_TABLE });
        const notifications = config.notifications.enabled
          ? {
              entityRef: config.notifications.entityRef,
              severities: severityRouting(config),
            }
          : undefined;
        const alerts = new AlertStore({ db, audit, outbox, notifications });

        const stream = new EventStream(db);
        const pipeline = new LivePipeline({
          tap: deps.tap,
          rules,
          enrich,
          maxQueued: config.queue.maxEntries,
          logger,
          append: documents => stream.append(documents),
        });
        pipeline.start();
        deps.lifecycle.addShutdownHook(() => pipeline.stop());

        const windowOf = new Map(rules.map(r => [r.id, r.windowSeconds]));
        const detector = new Detector({
          stream,
          rules,
          maxKeysPerRule: config.maxKeysPerRule,
          logger,
          storeAlert: (alert, { raisedAt }) =>
            alerts.insert(alert, {
              windowSeconds: windowOf.get(alert.ruleId),
              raisedAt,
            }),
        });
        // One replica at a time runs the rules over every replica's events.
        await deps.scheduler.scheduleTask({
          id: 'security-detector',
          scope: 'global',
          frequency: { seconds: 2 },
          timeout: { minutes: 1 },
          fn: async () => {
            await detector.runOnce();
          },
        });
        const status = new PipelineStatus(pipeline, detector, stream);

        const worker = notifications
          ? new OutboxWorker({
              outbox,
              maxAttempts: MAX_ATTEMPTS,
              deliverers: {
                [SLO_TARGET]: sloAlertDeliverer({
                  baseUrl: () => deps.discovery.getBaseUrl('slo'),
                  headers: async () => {
                    const { token } = await deps.auth.getPluginRequestToken({
                      onBehalfOf: await deps.auth.getOwnServiceCredentials(),
                      targetPluginId: 'slo',
                    });
                    return { authorization: `Bearer ${token}` };
                  },
                  record: (id, state) => alerts.setNotification(id, state),
                  maxAttempts: MAX_ATTEMPTS,
                }),
              },
              logger,
              pollIntervalMs: 2_000,
            })
          : undefined;
        worker?.start();
        deps.lifecycle.addShutdownHook(async () => {
          await worker?.stop();
        });

        addMetricsRoute(
          router,
          deps.httpRouter,
          createSecurityMetrics({ alerts, pipeline: status, outbox }),
        );
        router.use(createRouter({ allow, alerts, pipeline: status }));

        if (config.demo.enabled) {
          const seeded = await seedDemoAlerts(alerts);
          if (seeded) logger.info(`Seeded ${seeded} demo security alerts`);
        }
      },
    });
  },
});
