import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import EvidenceIcon from '@material-ui/icons/AssignmentTurnedIn';
import { EvidenceClient, evidenceApiRef } from './api';
import { itemRouteRef, rootRouteRef, runRouteRef } from './routes';

const evidenceApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: evidenceApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EvidenceClient({ pluginId: 'evidence', discoveryApi, fetchApi }),
    }),
});

/** The tabs, with an internal router for `items/:id` and `runs/:id`. */
const evidencePage = PageBlueprint.make({
  params: {
    path: '/evidence',
    title: 'Evidence',
    icon: <EvidenceIcon />,
    noHeader: true,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/EvidenceRouter').then(m => <m.EvidenceRouter />),
  },
});

const evidenceEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'evidence',
    title: 'Evidence',
    filter: { kind: 'Component' },
    loader: () =>
      import('./components/EntityEvidenceContent').then(m => (
        <m.EntityEvidenceContent />
      )),
  },
});

/** The evidence plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'evidence',
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    item: convertLegacyRouteRef(itemRouteRef),
    run: convertLegacyRouteRef(runRouteRef),
  },
  extensions: [evidenceApi, evidencePage, evidenceEntityContent],
});
