import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import DrillsIcon from '@material-ui/icons/Whatshot';
import { DrillsClient, drillsApiRef } from './api';
import { rootRouteRef } from './routes';

const drillsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: drillsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DrillsClient({ pluginId: 'drills', discoveryApi, fetchApi }),
    }),
});

const drillsPage = PageBlueprint.make({
  params: {
    path: '/drills',
    title: 'Drills',
    icon: <DrillsIcon />,
    noHeader: true,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () => import('./components/DrillsPage').then(m => <m.DrillsPage />),
  },
});

/** The drills plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'drills',
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  extensions: [drillsApi, drillsPage],
});
