import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { SloApi, sloApiRef } from '../api';
import { EntitySloContent } from './EntitySloContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout', namespace: 'default' },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments',
  },
};

describe('EntitySloContent', () => {
  it("asks for the objectives of the entity's ref and lists them", async () => {
    const api: jest.Mocked<SloApi> = {
      listObjectives: jest.fn().mockResolvedValue({
        items: [
          {
            id: 'slo-1',
            entityRef: 'component:default/checkout',
            name: 'checkout-availability',
            target: 0.999,
            windowDays: 28,
            createdAt: '2025-03-01T10:00:00.000Z',
          },
        ],
        totalCount: 1,
        limit: 25,
        offset: 0,
      }),
    };

    await renderInTestApp(
      <TestApiProvider apis={[[sloApiRef, api]]}>
        <EntityProvider entity={entity}>
          <EntitySloContent />
        </EntityProvider>
      </TestApiProvider>,
    );

    expect(
      await screen.findByText('checkout-availability'),
    ).toBeInTheDocument();
    expect(api.listObjectives).toHaveBeenCalledTimes(1);
    expect(api.listObjectives).toHaveBeenCalledWith({
      limit: 25,
      offset: 0,
      entityRef: 'component:default/checkout',
    });
    expect(screen.getByText('99.90%')).toBeInTheDocument();
    expect(screen.getByText('28 days')).toBeInTheDocument();
    // On an entity page the Service column is dropped: it would repeat the entity.
    expect(
      screen.queryByRole('columnheader', { name: 'Service' }),
    ).not.toBeInTheDocument();
  });

  it('shows the empty state when the entity has no objectives', async () => {
    const api: jest.Mocked<SloApi> = {
      listObjectives: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, limit: 25, offset: 0 }),
    };

    await renderInTestApp(
      <TestApiProvider apis={[[sloApiRef, api]]}>
        <EntityProvider entity={entity}>
          <EntitySloContent />
        </EntityProvider>
      </TestApiProvider>,
    );

    expect(await screen.findByText('No objectives yet')).toBeInTheDocument();
    expect(api.listObjectives).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef: 'component:default/checkout' }),
    );
  });
});
