import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

export const rootRouteRef = createRouteRef({ id: 'privacy' });

/** One DSAR request: `/privacy/requests/:id`. */
export const requestRouteRef = createSubRouteRef({
  id: 'privacy-request',
  parent: rootRouteRef,
  path: '/requests/:id',
});
