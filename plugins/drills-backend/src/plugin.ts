import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  DRILL_RUN_STATES,
  drillsPermissions,
  drillsReadPermission,
} from '@internal/plugin-drills-common';
import {
  opsPluginDeps,
  pageQuerySchema,
  parseInput,
  readValidatedConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
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
      deps: opsPluginDeps,
      async init(deps) {
        readValidatedConfig(deps.config, 'drills', drillsConfigSchema);
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-drills-backend',
          permissions: drillsPermissions,
        });
        const runs = new RunStore(db);

        router.get('/runs', allow(drillsReadPermission), async (req, res) => {
          const { limit, offset, ...filter } = parseInput(
            listQuerySchema,
            req.query,
          );
          res.json(await runs.list(filter, { limit, offset }));
        });
      },
    });
  },
});
