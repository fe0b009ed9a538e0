import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  addHealthRoute,
  createPermissionCheck,
  migratedClient,
  pageQuerySchema,
  parseInput,
  readValidatedConfig,
} from '@internal/plugin-ops-node';
import { sloPermissions, sloReadPermission } from '@internal/plugin-slo-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ObjectiveStore } from './ObjectiveStore';

const sloConfigSchema = z
  .object({ evaluationIntervalSeconds: z.number().int().min(10).default(60) })
  .strict()
  .default({});

const listQuerySchema = pageQuerySchema.extend({
  entityRef: z.string().min(1).optional(),
});

/** The SLO backend plugin: objectives, burn rates and alerts, under /api/slo. */
export const sloPlugin = createBackendPlugin({
  pluginId: 'slo',
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
        readValidatedConfig(config, 'slo', sloConfigSchema);
        const db = await migratedClient(
          database,
          '@internal/plugin-slo-backend',
        );
        permissionsRegistry.addPermissions(sloPermissions);
        const requirePermission = createPermissionCheck({
          httpAuth,
          permissions,
        });
        const objectives = new ObjectiveStore(db);

        const router = Router();
        addHealthRoute(router, httpRouter, db);
        router.get('/objectives', async (req, res) => {
          await requirePermission(req, sloReadPermission);
          const { limit, offset, ...filter } = parseInput(
            listQuerySchema,
            req.query,
          );
          res.json(await objectives.list(filter, { limit, offset }));
        });
        httpRouter.use(router);
      },
    });
  },
});
