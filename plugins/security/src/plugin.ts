import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { SecurityClient, securityApiRef } from './api';
import { rootRouteRef } from './routes';

/** The security plugin for apps on the legacy frontend system. */
export const securityPlugin = createPlugin({
  id: 'security',
  apis: [
    createApiFactory({
      api: securityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SecurityClient({ pluginId: 'security', discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

export const SecurityPage = securityPlugin.provide(
  createRoutableExtension({
    name: 'SecurityPage',
    component: () =>
      import('./components/SecurityPage').then(m => m.SecurityPage),
    mountPoint: rootRouteRef,
  }),
);
