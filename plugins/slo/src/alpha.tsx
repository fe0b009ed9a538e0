import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import SloIcon from '@material-ui/icons/Timeline';
import { SloClient, sloApiRef } from './api';
import { rootRouteRef } from './routes';

const sloApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: sloApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SloClient({ pluginId: 'slo', discoveryApi, fetchApi }),
    }),
});

const sloPage = PageBlueprint.make({
  params: {
    path: '/slo',
    title: 'SLOs',
    icon: <SloIcon />,
    noHeader: true,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () => import('./components/SloPage').then(m => <m.SloPage />),
  },
});

const sloEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'slo',
    title: 'SLOs',
    filter: { kind: 'Component' },
    loader: () =>
      import('./components/EntitySloContent').then(m => <m.EntitySloContent />),
  },
});

/** The SLO plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'slo',
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  extensions: [sloApi, sloPage, sloEntityContent],
});
