import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { EvidenceClient, evidenceApiRef } from './api';
import { rootRouteRef } from './routes';

/** The evidence plugin for apps on the legacy frontend system. */
export const evidencePlugin = createPlugin({
  id: 'evidence',
  apis: [
    createApiFactory({
      api: evidenceApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EvidenceClient({ pluginId: 'evidence', discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

export const EvidencePage = evidencePlugin.provide(
  createRoutableExtension({
    name: 'EvidencePage',
    component: () =>
      import('./components/EvidencePage').then(m => m.EvidencePage),
    mountPoint: rootRouteRef,
  }),
);
