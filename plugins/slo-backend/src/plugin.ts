import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  opsPluginDeps,
  pageQuerySchema,
  parseInput,
  readValidatedConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { sloPermissions, sloReadPermission } from '@internal/plugin-slo-common';
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
      deps: opsPluginDeps,
      async init(deps) {
        readValidatedConfig(deps.config, 'slo', sloConfigSchema);
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-slo-backend',
          permissions: sloPermissions,
        });
        const objectives = new ObjectiveStore(db);

        router.get(
          '/objectives',
          allow(sloReadPermission),
          async (req, res) => {
            const { limit, offset, ...filter } = parseInput(
              listQuerySchema,
              req.query,
            );
            res.json(await objectives.list(filter, { limit, offset }));
          },
        );
      },
    });
  },
});
