import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { Route, Routes } from 'react-router-dom';
import type { SloApi } from '../api';
import { sloApiRef } from '../api';
import { SloRouter } from '../components/SloRouter';
import { rootRouteRef } from '../routes';

export const mountedRoutes = {
  '/slo': rootRouteRef,
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};

/** Renders the plugin's page router at `path` (below `/slo`). */
export async function renderSlo(api: SloApi, path = '/slo') {
  return renderInTestApp(
    <TestApiProvider apis={[[sloApiRef, api]]}>
      <Routes>
        <Route path="/slo/*" element={<SloRouter />} />
      </Routes>
    </TestApiProvider>,
    { routeEntries: [path], mountedRoutes },
  );
}
