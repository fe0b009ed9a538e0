import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { SloClient, sloApiRef } from './api';
import { rootRouteRef } from './routes';

/** The SLO plugin for apps on the legacy frontend system. */
export const sloPlugin = createPlugin({
  id: 'slo',
  apis: [
    createApiFactory({
      api: sloApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SloClient({ pluginId: 'slo', discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

export const SloPage = sloPlugin.provide(
  createRoutableExtension({
    name: 'SloPage',
    component: () => import('./components/SloPage').then(m => m.SloPage),
    mountPoint: rootRouteRef,
  }),
);

export const EntitySloContent = sloPlugin.provide(
  createComponentExtension({
    name: 'EntitySloContent',
    component: {
      lazy: () =>
        import('./components/EntitySloContent').then(m => m.EntitySloContent),
    },
  }),
);
