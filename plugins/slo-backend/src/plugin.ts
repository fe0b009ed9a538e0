import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  opsPluginDeps,
  readValidatedConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
import { sloPermissions } from '@internal/plugin-slo-common';
import { z } from 'zod';
import { ObjectiveStore } from './ObjectiveStore';
import { createRouter } from './router';
import { KnexSampleStore, SampleService } from './samples';

const sloConfigSchema = z
  .object({ evaluationIntervalSeconds: z.number().int().min(10).default(60) })
  .strict()
  .default({});

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
        const samples = new SampleService({
          store: new KnexSampleStore(db),
          // For now an objective is a row of slo_objectives, by its id.
          objectiveExists: ref => objectives.exists(ref),
        });
        router.use(await createRouter({ objectives, samples, allow }));
      },
    });
  },
});
