import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  addHealthRoute,
  createPermissionCheck,
  migratedClient,
} from '@internal/plugin-ops-node';
import { privacyPermissions } from '@internal/plugin-privacy-common';
import Router from 'express-promise-router';
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
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
      },
      async init(deps) {
        const { httpRouter, httpAuth, permissions } = deps;
        const settings = readPrivacyConfig(deps.config);
        const db = await migratedClient(
          deps.database,
          '@internal/plugin-privacy-backend',
        );
        deps.permissionsRegistry.addPermissions(privacyPermissions);

        const store = new RequestStore(db);
        const router = Router();
        addHealthRoute(router, httpRouter, db);
        router.use(
          await createRouter({
            store,
            intake: new IntakeService(store, settings),
            requirePermission: createPermissionCheck({ httpAuth, permissions }),
            httpAuth,
            auditor: deps.auditor,
          }),
        );
        httpRouter.use(router);
      },
    });
  },
});
