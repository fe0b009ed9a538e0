import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  CRITERION_IDS,
  evidencePermissions,
  evidenceReadPermission,
} from '@internal/plugin-evidence-common';
import {
  opsPluginDeps,
  pageQuerySchema,
  parseInput,
  readValidatedConfig,
  startOpsPlugin,
} from '@internal/plugin-ops-node';
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
      deps: opsPluginDeps,
      async init(deps) {
        readValidatedConfig(deps.config, 'evidence', evidenceConfigSchema);
        const { db, router, allow } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-evidence-backend',
          permissions: evidencePermissions,
        });
        const store = new EvidenceStore(db);

        router.get(
          '/evidence',
          allow(evidenceReadPermission),
          async (req, res) => {
            const { limit, offset, ...filter } = parseInput(
              listQuerySchema,
              req.query,
            );
            res.json(await store.list(filter, { limit, offset }));
          },
        );
        router.get(
          '/coverage',
          allow(evidenceReadPermission),
          async (_req, res) => {
            res.json({ criteria: await store.coverage() });
          },
        );
      },
    });
  },
});
