import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { PrivacyClient, privacyApiRef } from './api';
import { requestRouteRef, rootRouteRef } from './routes';

/** The privacy plugin for apps on the legacy frontend system. */
export const privacyPlugin = createPlugin({
  id: 'privacy',
  apis: [
    createApiFactory({
      api: privacyApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new PrivacyClient({ pluginId: 'privacy', discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, request: requestRouteRef },
});

/** The DSAR queue at the mount path, one request at `requests/:id`. */
export const PrivacyPage = privacyPlugin.provide(
  createRoutableExtension({
    name: 'PrivacyPage',
    component: () =>
      import('./components/PrivacyRouter').then(m => m.PrivacyRouter),
    mountPoint: rootRouteRef,
  }),
);

export const EntityPrivacyContent = privacyPlugin.provide(
  createComponentExtension({
    name: 'EntityPrivacyContent',
    component: {
      lazy: () =>
        import('./components/EntityPrivacyContent').then(
          m => m.EntityPrivacyContent,
        ),
    },
  }),
);
