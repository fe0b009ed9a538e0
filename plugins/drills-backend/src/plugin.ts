import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  DrillRunSignal,
  drillRunChannel,
  drillsPermissions,
} from '@internal/plugin-drills-common';
import {
  AuditChain,
  AuditChainer,
  Outbox,
  OutboxWorker,
  addMetricsRoute,
  blobStoreConfigSchema,
  createBlobStore,
  opsPluginDeps,
  readAuditKeyring,
  readValidatedConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { resolve } from 'node:path';
import { z } from 'zod';
import { calendarSettingsSchema } from './calendar';
import { seedDemoRuns } from './demo';
import { enqueueEvidenceFiling, evidenceFilingDeliverer } from './evidence';
import { DrillsMetricsStore, createDrillsMetrics } from './metrics';
import { renderReportMarkdown } from './report';
import { createRouter } from './router';
import { loadRunbooks } from './runbooks';
import { DRILLS_AUDIT_TABLES, DRILLS_OUTBOX_TABLE, RunService } from './runs';

/** The calendar feed secret of demo mode when none is configured; refused outside it. */
const DEMO_FEED_SECRET = 'demo-drills-calendar-feed-secret-not-for-production';

const drillsConfigSchema = z
  .object({
    runbooksDirectory: z.string().min(1).default('../../runbooks'),
    calendar: calendarSettingsSchema.default({}),
    /** Step attachments. */
    storage: blobStoreConfigSchema.default({ directory: '.data/drills' }),
    maxAttachmentMegabytes: z.number().positive().max(1024).default(25),
    /** Personal subscription links for calendar apps; off without a secret. */
    calendarFeed: z
      .object({
        secret: z
          .string()
          .min(32, 'at least 32 characters (e.g. openssl rand -base64 32)'),
      })
      .strict()
      .optional(),
    /** Files each finished run as evidence through the evidence plugin. */
    evidenceFiling: z
      .object({ enabled: z.boolean().default(true) })
      .strict()
      .default({}),
    demo: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

/** The DR drills backend plugin, under /api/drills. */
export const drillsPlugin = createBackendPlugin({
  pluginId: 'drills',
  register(env) {
    env.registerInit({
      deps: {
        ...opsPluginDeps,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        signals: signalsServiceRef,
      },
      async init(deps) {
        const { config: rootConfig, logger } = deps;
        const config = readValidatedConfig(
          rootConfig,
          'drills',
          drillsConfigSchema,
        );
        if (
          !config.demo.enabled &&
          config.calendarFeed?.secret === DEMO_FEED_SECRET
        ) {
          throw new Error(
            'Refusing to start on the demo calendar feed secret: set drills.calendarFeed.secret to your own, or remove it to turn subscriptions off',
          );
        }
        // Subscriptions are off in production until a secret is set.
        const feedSecret =
          config.calendarFeed?.secret ??
          (config.demo.enabled ? DEMO_FEED_SECRET : undefined);
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-drills-backend',
          permissions: drillsPermissions,
        });
        const audit = new AuditChain({
          db,
          tables: DRILLS_AUDIT_TABLES,
          keyring: readAuditKeyring(rootConfig, {
            allowCommittedKeys: config.demo.enabled,
          }),
        });
        const chainer = new AuditChainer(audit, logger);
        chainer.start();
        deps.lifecycle.addShutdownHook(() => chainer.stop());

        // Read at every request, so an edited runbook shows without a
        // restart; its problems are logged once, at start.
        const folder = resolve(config.runbooksDirectory);
        // A folder that cannot be read is a problem to show, not a failed start.
        const runbooks = () =>
          loadRunbooks(folder).catch(error => ({
            runbooks: [],
            problems: [
              {
                file: folder,
                line: 1,
                level: 'error' as const,
                message: `drills.runbooksDirectory cannot be read: ${error.message}`,
              },
            ],
          }));
        const atStart = await runbooks();
        for (const problem of atStart.problems) {
          logger.warn(
            `Runbook ${problem.file}:${problem.line}: ${problem.message}`,
          );
        }

        const publish = (runId: string, change: string, by: string) => {
          const message: DrillRunSignal = {
            runId,
            change,
            by,
            at: new Date().toISOString(),
          };
          deps.signals
            .publish({
              recipients: { type: 'broadcast' },
              channel: drillRunChannel(runId),
              message,
            })
            .catch(error =>
              logger.warn(`Publishing a drill run change failed: ${error}`),
            );
        };

        const outbox = new Outbox({ db, table: DRILLS_OUTBOX_TABLE });
        const filing = config.evidenceFiling.enabled;
        const runsAt = (now?: () => Date) =>
          new RunService({
            db,
            audit,
            outbox,
            now,
            renderReport: run =>
              renderReportMarkdown(run, {
                timezone: config.calendar.timezone,
                now: new Date(run.finishedAt ?? run.startedAt),
              }),
            onFinished: filing
              ? async (run, tx) => {
                  await enqueueEvidenceFiling(outbox, run, tx);
                }
              : undefined,
          });
        const runs = runsAt();
        const worker = filing
          ? new OutboxWorker({
              outbox,
              deliverers: {
                evidence: evidenceFilingDeliverer({
                  baseUrl: () => deps.discovery.getBaseUrl('evidence'),
                  headers: async () => {
                    const { token } = await deps.auth.getPluginRequestToken({
                      onBehalfOf: await deps.auth.getOwnServiceCredentials(),
                      targetPluginId: 'evidence',
                    });
                    return { authorization: `Bearer ${token}` };
                  },
                  recordFiled: async (runId, itemId) => {
                    await runs.recordEvidenceFiled(runId, itemId);
                    publish(runId, 'evidence', 'service:drills');
                  },
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

        deps.httpRouter.addAuthPolicy({
          path: '/calendar/feed.ics',
          allow: 'unauthenticated',
        });
        const baseUrl = rootConfig.getOptionalString('app.baseUrl') ?? '';
        addMetricsRoute(
          router,
          deps.httpRouter,
          createDrillsMetrics({
            store: new DrillsMetricsStore(db),
            runs,
            outbox,
          }),
        );
        router.use(
          createRouter({
            allow,
            runs,
            runbooks,
            calendar: config.calendar,
            reportUrl: id => `${baseUrl}/drills/runs/${id}/report`,
            blobs: createBlobStore(config.storage),
            maxAttachmentBytes: config.maxAttachmentMegabytes * 1024 * 1024,
            publish,
            feed: feedSecret
              ? {
                  secret: feedSecret,
                  url: `${await deps.discovery.getExternalBaseUrl(
                    'drills',
                  )}/calendar/feed.ics`,
                }
              : undefined,
          }),
        );

        if (config.demo.enabled) {
          await seedDemoRuns({ runsAt, runbooks: atStart.runbooks, logger });
        }
      },
    });
  },
});
