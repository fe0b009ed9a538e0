import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import PrivacyIcon from '@material-ui/icons/LockOutlined';
import { PrivacyClient, privacyApiRef } from './api';
import { requestRouteRef, rootRouteRef } from './routes';

const privacyApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: privacyApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new PrivacyClient({ pluginId: 'privacy', discoveryApi, fetchApi }),
    }),
});

const privacyPage = PageBlueprint.make({
  params: {
    path: '/privacy',
    title: 'Privacy',
    icon: <PrivacyIcon />,
    noHeader: true,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/PrivacyRouter').then(m => <m.PrivacyRouter />),
  },
});

const privacyEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'privacy',
    title: 'Privacy',
    filter: { kind: 'Component' },
    loader: () =>
      import('./components/EntityPrivacyContent').then(m => (
        <m.EntityPrivacyContent />
      )),
  },
});

/** The privacy plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'privacy',
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    request: convertLegacyRouteRef(requestRouteRef),
  },
  extensions: [privacyApi, privacyPage, privacyEntityContent],
});
