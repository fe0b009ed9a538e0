import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type { ReactElement } from 'react';
import type { SloApi } from '../api';
import { sloApiRef } from '../api';
import { mountedRoutes } from './render';

/** Renders one component with the SLO API double and the app's routes mounted. */
export function renderWithApi(api: SloApi, element: ReactElement) {
  return renderInTestApp(
    <TestApiProvider apis={[[sloApiRef, api]]}>{element}</TestApiProvider>,
    { mountedRoutes },
  );
}
