import type { Entity } from '@backstage/catalog-model';
import { alertApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import { evidenceApiRef, type EvidenceApi } from '../api';
import { EvidenceRouter } from '../components/EvidenceRouter';
import { PollIntervalContext } from '../hooks/useLive';
import { rootRouteRef } from '../routes';
import { stubAlertApi } from '../testing/fixtures';

export const mountedRoutes = {
  '/evidence': rootRouteRef,
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};

/** Polls every 10 ms: tests wait on what is shown, never on the clock. */
const TEST_POLL_MS = 10;

/** Renders `element` with the evidence API double, an alert API spy and the routes mounted. */
export async function renderWithApi(
  api: EvidenceApi,
  element: ReactElement,
  options: {
    path?: string;
    alertApi?: ReturnType<typeof stubAlertApi>;
    permissionApi?: ReturnType<typeof mockApis.permission>;
  } = {},
) {
  const alertApi = options.alertApi ?? stubAlertApi();
  const rendered = await renderInTestApp(
    <TestApiProvider
      apis={[
        [evidenceApiRef, api],
        [alertApiRef, alertApi],
        [permissionApiRef, options.permissionApi ?? mockApis.permission()],
      ]}
    >
      <PollIntervalContext.Provider value={TEST_POLL_MS}>
        {element}
      </PollIntervalContext.Provider>
    </TestApiProvider>,
    { mountedRoutes, routeEntries: options.path ? [options.path] : undefined },
  );
  return { rendered, alertApi };
}

/** Renders the plugin's router at `path` (below `/evidence`). */
export function renderEvidence(
  api: EvidenceApi,
  path = '/evidence',
  permissionApi?: ReturnType<typeof mockApis.permission>,
) {
  return renderWithApi(
    api,
    <Routes>
      <Route path="/evidence/*" element={<EvidenceRouter />} />
    </Routes>,
    { path, permissionApi },
  );
}

export function makeEntity(name = 'api-gateway'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/platform',
    },
  };
}

export function renderForEntity(
  api: EvidenceApi,
  element: ReactElement,
  entity: Entity = makeEntity(),
) {
  return renderWithApi(
    api,
    <EntityProvider entity={entity}>{element}</EntityProvider>,
  );
}
