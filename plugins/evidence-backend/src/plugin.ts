import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  CRITERION_IDS,
  evidencePermissions,
  evidenceReadPermission,
} from '@internal/plugin-evidence-common';
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
import { EvidenceStore } from './EvidenceStore';

const evidenceConfigSchema = z
  .object({
    retentionYears: z.number().int().min(1).default(7),
    freshnessDays: z.number().int().min(1).default(90),
  })
  .strict()
  .default({});

const listQuerySchema = pageQuerySchema.extend({
  criterion: z.enum(CRITERION_IDS).optional(),
});

/** The SOC 2 evidence backend plugin, under /api/evidence. */
export const evidencePlugin = createBackendPlugin({
  pluginId: 'evidence',
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
        readValidatedConfig(config, 'evidence', evidenceConfigSchema);
        const db = await migratedClient(
          database,
          '@internal/plugin-evidence-backend',
        );
        permissionsRegistry.addPermissions(evidencePermissions);
        const requirePermission = createPermissionCheck({
          httpAuth,
          permissions,
        });
        const store = new EvidenceStore(db);

        const router = Router();
        addHealthRoute(router, httpRouter, db);
        router.get('/evidence', async (req, res) => {
          await requirePermission(req, evidenceReadPermission);
          const { limit, offset, ...filter } = parseInput(
            listQuerySchema,
            req.query,
          );
          res.json(await store.list(filter, { limit, offset }));
        });
        router.get('/coverage', async (req, res) => {
          await requirePermission(req, evidenceReadPermission);
          res.json({ criteria: await store.coverage() });
        });
        httpRouter.use(router);
      },
    });
  },
});
