import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { ReactElement } from 'react';
import type { SloApi } from '../api';
import { renderWithApi } from './renderWithApi';

export function makeEntity(annotations: Record<string, string> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout', namespace: 'default', annotations },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/payments',
    },
  };
}

/** Renders an entity page component for `entity` with the SLO API double. */
export function renderForEntity(
  api: SloApi,
  element: ReactElement,
  entity: Entity = makeEntity(),
) {
  return renderWithApi(
    api,
    <EntityProvider entity={entity}>{element}</EntityProvider>,
  );
}
