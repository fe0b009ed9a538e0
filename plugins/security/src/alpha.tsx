import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import SecurityIcon from '@material-ui/icons/Security';
import { SecurityClient, securityApiRef } from './api';
import { rootRouteRef } from './routes';

const securityApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: securityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SecurityClient({ pluginId: 'security', discoveryApi, fetchApi }),
    }),
});

const securityPage = PageBlueprint.make({
  params: {
    path: '/security',
    title: 'Security',
    icon: <SecurityIcon />,
    noHeader: true,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/SecurityPage').then(m => <m.SecurityPage />),
  },
});

/** The security plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'security',
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  extensions: [securityApi, securityPage],
});
