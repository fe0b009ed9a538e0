import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  DRILL_RUN_STATES,
  drillsPermissions,
  drillsReadPermission,
} from '@internal/plugin-drills-common';
import {
  addHealthRoute,
  createPermissionCheck,
  migratedClient,
  pageQuerySchema,
  parseInput,
  readValidatedConfig,
} from '@internal/plugin-ops-node';
import Router from 'express-promise-router';
import { z } from 'zod';
import { RunStore } from './RunStore';

const drillsConfigSchema = z
  .object({ runbooksDirectory: z.string().min(1).default('../../runbooks') })
  .strict()
  .default({});

const listQuerySchema = pageQuerySchema.extend({
  state: z.enum(DRILL_RUN_STATES).optional(),
});

/** The DR drills backend plugin, under /api/drills. */
export const drillsPlugin = createBackendPlugin({
  pluginId: 'drills',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({
        config,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
      }) {
        readValidatedConfig(config, 'drills', drillsConfigSchema);
        const db = await migratedClient(
          database,
          '@internal/plugin-drills-backend',
        );
        permissionsRegistry.addPermissions(drillsPermissions);
        const requirePermission = createPermissionCheck({
          httpAuth,
          permissions,
        });
        const runs = new RunStore(db);

        const router = Router();
        addHealthRoute(router, httpRouter, db);
        router.get('/runs', async (req, res) => {
          await requirePermission(req, drillsReadPermission);
          const { limit, offset, ...filter } = parseInput(
            listQuerySchema,
            req.query,
          );
          res.json(await runs.list(filter, { limit, offset }));
        });
        httpRouter.use(router);
      },
    });
  },
});
