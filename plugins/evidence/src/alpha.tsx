import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import EvidenceIcon from '@material-ui/icons/AssignmentTurnedIn';
import { EvidenceClient, evidenceApiRef } from './api';
import { rootRouteRef } from './routes';

const evidenceApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: evidenceApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EvidenceClient({ pluginId: 'evidence', discoveryApi, fetchApi }),
    }),
});

const evidencePage = PageBlueprint.make({
  params: {
    path: '/evidence',
    title: 'Evidence',
    icon: <EvidenceIcon />,
    noHeader: true,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/EvidencePage').then(m => <m.EvidencePage />),
  },
});

/** The evidence plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'evidence',
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  extensions: [evidenceApi, evidencePage],
});
