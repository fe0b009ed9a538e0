import {
  DatabaseService,
  RootConfigService,
  HttpAuthService,
  HttpRouterService,
  PermissionsRegistryService,
  PermissionsService,
  coreServices,
} from '@backstage/backend-plugin-api';
import type { Permission } from '@backstage/plugin-permission-common';
import Router from 'express-promise-router';
import { readApiEnabled } from './config';
import { migratedClient } from './database';
import {
  addHealthRoute,
  createPermissionCheck,
  createPermissionMiddleware,
} from './http';

/** The core services every ops backend plugin starts from; spread into `deps`. */
export const opsPluginDeps = {
  config: coreServices.rootConfig,
  logger: coreServices.logger,
  database: coreServices.database,
  httpRouter: coreServices.httpRouter,
  httpAuth: coreServices.httpAuth,
  permissions: coreServices.permissions,
  permissionsRegistry: coreServices.permissionsRegistry,
};

/**
 * The start every ops backend plugin shares: migrate its tables, register its
 * permissions, mount its router with the unauthenticated `GET /health`.
 * Returns the database client, the router to add routes to, and the
 * permission check for those routes, as a function and as middleware. With `ops.api: false` (a worker-only
 * process) only `/health` is served: the returned router is not mounted.
 */
export async function startOpsPlugin(
  deps: {
    config: RootConfigService;
    database: DatabaseService;
    httpRouter: HttpRouterService;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    permissionsRegistry: PermissionsRegistryService;
  },
  options: { packageName: string; permissions: Permission[] },
) {
  const db = await migratedClient(deps.database, options.packageName);
  deps.permissionsRegistry.addPermissions(options.permissions);
  const health = Router();
  addHealthRoute(health, deps.httpRouter, db);
  deps.httpRouter.use(health);
  const router = Router();
  if (readApiEnabled(deps.config)) {
    deps.httpRouter.use(router);
  }
  const requirePermission = createPermissionCheck(deps);
  return {
    db,
    router,
    requirePermission,
    allow: createPermissionMiddleware(requirePermission),
  };
}
