import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { opsPluginDeps, startOpsPlugin } from '@internal/plugin-ops-node';
import { privacyPermissions } from '@internal/plugin-privacy-common';
import { readPrivacyConfig } from './config';
import { IntakeService } from './IntakeService';
import { RequestStore } from './RequestStore';
import { createRouter } from './router';

/**
 * The privacy (DSAR) backend plugin: intake and tracking of export and
 * erasure requests, under /api/privacy.
 */
export const privacyPlugin = createBackendPlugin({
  pluginId: 'privacy',
  register(env) {
    env.registerInit({
      deps: { ...opsPluginDeps, auditor: coreServices.auditor },
      async init(deps) {
        const settings = readPrivacyConfig(deps.config);
        const { db, router, requirePermission } = await startOpsPlugin(deps, {
          packageName: '@internal/plugin-privacy-backend',
          permissions: privacyPermissions,
        });
        const store = new RequestStore(db);
        router.use(
          await createRouter({
            store,
            intake: new IntakeService(store, settings),
            requirePermission,
            auditor: deps.auditor,
          }),
        );
      },
    });
  },
});
