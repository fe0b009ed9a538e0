import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import SloIcon from '@material-ui/icons/Timeline';
import { SloClient, sloApiRef } from './api';
import { demoSinkRouteRef, objectiveRouteRef, rootRouteRef } from './routes';

const sloApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: sloApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SloClient({ pluginId: 'slo', discoveryApi, fetchApi }),
    }),
});

/** The overview, with an internal router for `objectives/:ref` and `demo-sink`. */
const sloPage = PageBlueprint.make({
  params: {
    path: '/slo',
    title: 'SLOs',
    icon: <SloIcon />,
    noHeader: true,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () => import('./components/SloRouter').then(m => <m.SloRouter />),
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

const sloEntityCard = EntityCardBlueprint.make({
  params: {
    filter: { kind: 'Component' },
    loader: () =>
      import('./components/EntitySloCard').then(m => <m.EntitySloCard />),
  },
});

/** The SLO plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'slo',
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    objective: convertLegacyRouteRef(objectiveRouteRef),
    demoSink: convertLegacyRouteRef(demoSinkRouteRef),
  },
  extensions: [sloApi, sloPage, sloEntityContent, sloEntityCard],
});
