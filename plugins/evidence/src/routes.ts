import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

export const rootRouteRef = createRouteRef({ id: 'evidence' });

/** One evidence item: `/evidence/items/:id`. */
export const itemRouteRef = createSubRouteRef({
  id: 'evidence-item',
  parent: rootRouteRef,
  path: '/items/:id',
});

/** One collector run with its log: `/evidence/runs/:id`. */
export const runRouteRef = createSubRouteRef({
  id: 'evidence-run',
  parent: rootRouteRef,
  path: '/runs/:id',
});
