import type { Entity } from '@backstage/catalog-model';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { PERSONAL_DATA_STORES_ANNOTATION } from '@internal/plugin-privacy-common';
import { screen } from '@testing-library/react';
import { EntityPrivacyContent } from './EntityPrivacyContent';

function component(annotations: Record<string, string> = {}): Entity {
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

function resource(
  namespace: string,
  name: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace, annotations },
    spec: { type: 'database', owner: 'group:default/payments' },
  };
}

async function renderFor(entity: Entity, resources: Entity[] = []) {
  return renderInTestApp(
    <TestApiProvider
      apis={[[catalogApiRef, catalogApiMock({ entities: resources })]]}
    >
      <EntityProvider entity={entity}>
        <EntityPrivacyContent />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('EntityPrivacyContent', () => {
  it('lists the resources named in the personal-data-stores annotation', async () => {
    await renderFor(
      component({
        [PERSONAL_DATA_STORES_ANNOTATION]:
          'orders-db, resource:billing/invoices-bucket ,',
      }),
    );

    expect(screen.getByText('Personal-data stores')).toBeInTheDocument();
    const links = screen.getAllByRole('link');
    expect(links).toHaveLength(2);
    expect(links[0]).toHaveAttribute(
      'href',
      '/catalog/default/resource/orders-db',
    );
    expect(links[0]).toHaveTextContent('orders-db');
    expect(links[1]).toHaveAttribute(
      'href',
      '/catalog/billing/resource/invoices-bucket',
    );
    expect(links[1]).toHaveTextContent('invoices-bucket');
    expect(
      screen.queryByText('No personal-data stores declared'),
    ).not.toBeInTheDocument();
  });

  it('shows each store’s region and connector from the catalog, and the missing ones', async () => {
    await renderFor(
      component({
        [PERSONAL_DATA_STORES_ANNOTATION]:
          'orders-db, resource:billing/invoices-bucket, ghost-db',
      }),
      [
        resource('default', 'orders-db', {
          'ops.portal/region': 'EU',
          'privacy.ops.portal/connector': 'sql',
        }),
        resource('billing', 'invoices-bucket', { 'ops.portal/region': 'US' }),
      ],
    );

    expect(
      await screen.findByText('Region: EU · Connector: sql'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Region: US · Connector: not declared'),
    ).toBeInTheDocument();
    expect(screen.getByText('not in the catalog')).toBeInTheDocument();
  });

  it('shows a typo in the annotation as written', async () => {
    await renderFor(
      component({ [PERSONAL_DATA_STORES_ANNOTATION]: 'orders-db, resource:' }),
    );

    expect(
      await screen.findByText('resource: (not a valid entity ref)'),
    ).toBeInTheDocument();
    expect(await screen.findByText('not in the catalog')).toBeInTheDocument();
  });

  it('shows the empty state when the annotation is absent', async () => {
    await renderFor(component());

    expect(
      screen.getByText('No personal-data stores declared'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(new RegExp(PERSONAL_DATA_STORES_ANNOTATION)),
    ).toBeInTheDocument();
    expect(screen.queryByText('Personal-data stores')).not.toBeInTheDocument();
  });

  it('shows the empty state when the annotation is blank', async () => {
    await renderFor(component({ [PERSONAL_DATA_STORES_ANNOTATION]: ' , ' }));

    expect(
      screen.getByText('No personal-data stores declared'),
    ).toBeInTheDocument();
  });
});
