import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { SloApi, sloApiRef } from '../api';
import { SloPage } from './SloPage';

describe('SloPage', () => {
  it('shows the honest empty state when there are no objectives', async () => {
    const api: jest.Mocked<SloApi> = {
      listObjectives: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, limit: 25, offset: 0 }),
    };

    await renderInTestApp(
      <TestApiProvider apis={[[sloApiRef, api]]}>
        <SloPage />
      </TestApiProvider>,
    );

    expect(screen.getByText('Service level objectives')).toBeInTheDocument();
    expect(await screen.findByText('No objectives yet')).toBeInTheDocument();
    expect(api.listObjectives).toHaveBeenCalledWith({
      limit: 25,
      offset: 0,
      entityRef: undefined,
    });
    // The all-services table has a Service column.
    expect(
      screen.getByRole('columnheader', { name: 'Service' }),
    ).toBeInTheDocument();
  });
});
