import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { DrillsClient, drillsApiRef } from './api';
import { rootRouteRef } from './routes';

/** The drills plugin for apps on the legacy frontend system. */
export const drillsPlugin = createPlugin({
  id: 'drills',
  apis: [
    createApiFactory({
      api: drillsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DrillsClient({ pluginId: 'drills', discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

export const DrillsPage = drillsPlugin.provide(
  createRoutableExtension({
    name: 'DrillsPage',
    component: () => import('./components/DrillsPage').then(m => m.DrillsPage),
    mountPoint: rootRouteRef,
  }),
);
