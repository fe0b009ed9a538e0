import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { drillsPermissions } from '@internal/plugin-drills-common';
import {
  AuditChain,
  AuditChainer,
  opsPluginDeps,
  readAuditKeyring,
  readValidatedConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { resolve } from 'node:path';
import { z } from 'zod';
import { calendarSettingsSchema } from './calendar';
import { createRouter } from './router';
import { loadRunbooks } from './runbooks';
import { DRILLS_AUDIT_TABLES, RunService } from './runs';

const drillsConfigSchema = z
  .object({
    runbooksDirectory: z.string().min(1).default('../../runbooks'),
    calendar: calendarSettingsSchema.default({}),
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
      deps: { ...opsPluginDeps, lifecycle: coreServices.lifecycle },
      async init(deps) {
        const { config: rootConfig, logger } = deps;
        const config = readValidatedConfig(
          rootConfig,
          'drills',
          drillsConfigSchema,
        );
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
        const baseUrl = rootConfig.getOptionalString('app.baseUrl') ?? '';
        router.use(
          createRouter({
            allow,
            runs: new RunService({ db, audit }),
            runbooks,
            calendar: config.calendar,
            reportUrl: id => `${baseUrl}/drills/runs/${id}`,
          }),
        );
      },
    });
  },
});
