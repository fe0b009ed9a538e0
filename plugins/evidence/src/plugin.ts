import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { EvidenceClient, evidenceApiRef } from './api';
import { itemRouteRef, rootRouteRef, runRouteRef } from './routes';

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
  routes: { root: rootRouteRef, item: itemRouteRef, run: runRouteRef },
});

/**
 * The tabs (coverage, evidence, binders, collectors, exceptions, access
 * reviews) at the mount path, one item at `items/:id`, one run at `runs/:id`.
 */
export const EvidencePage = evidencePlugin.provide(
  createRoutableExtension({
    name: 'EvidencePage',
    component: () =>
      import('./components/EvidenceRouter').then(m => m.EvidenceRouter),
    mountPoint: rootRouteRef,
  }),
);

/** The evidence about an entity and the points it touches, for an entity page tab. */
export const EntityEvidenceContent = evidencePlugin.provide(
  createComponentExtension({
    name: 'EntityEvidenceContent',
    component: {
      lazy: () =>
        import('./components/EntityEvidenceContent').then(
          m => m.EntityEvidenceContent,
        ),
    },
  }),
);
