import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { SloClient, sloApiRef } from './api';
import { demoSinkRouteRef, objectiveRouteRef, rootRouteRef } from './routes';

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
  routes: {
    root: rootRouteRef,
    objective: objectiveRouteRef,
    demoSink: demoSinkRouteRef,
  },
});

/** The overview at the mount path, one objective at `objectives/:ref`, the demo sink at `demo-sink`. */
export const SloPage = sloPlugin.provide(
  createRoutableExtension({
    name: 'SloPage',
    component: () => import('./components/SloRouter').then(m => m.SloRouter),
    mountPoint: rootRouteRef,
  }),
);

/** A Component's objectives, for an entity page tab. */
export const EntitySloContent = sloPlugin.provide(
  createComponentExtension({
    name: 'EntitySloContent',
    component: {
      lazy: () =>
        import('./components/EntitySloContent').then(m => m.EntitySloContent),
    },
  }),
);

/** A Component's objectives in brief, for the entity overview. */
export const EntitySloCard = sloPlugin.provide(
  createComponentExtension({
    name: 'EntitySloCard',
    component: {
      lazy: () =>
        import('./components/EntitySloCard').then(m => m.EntitySloCard),
    },
  }),
);
