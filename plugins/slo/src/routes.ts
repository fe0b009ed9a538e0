import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

export const rootRouteRef = createRouteRef({ id: 'slo' });

/** One objective: `/slo/objectives/:ref` (the objective id, URL-encoded). */
export const objectiveRouteRef = createSubRouteRef({
  id: 'slo-objective',
  parent: rootRouteRef,
  path: '/objectives/:ref',
});

/** What the notifiers would have sent, in demo mode: `/slo/demo-sink`. */
export const demoSinkRouteRef = createSubRouteRef({
  id: 'slo-demo-sink',
  parent: rootRouteRef,
  path: '/demo-sink',
});
