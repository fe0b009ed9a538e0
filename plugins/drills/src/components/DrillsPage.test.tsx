import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { DrillsApi, drillsApiRef } from '../api';
import { DrillsPage } from './DrillsPage';

describe('DrillsPage', () => {
  it('shows the honest empty state when no drill has run', async () => {
    const api: jest.Mocked<DrillsApi> = {
      listRuns: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0, limit: 25, offset: 0 }),
    };

    await renderInTestApp(
      <TestApiProvider apis={[[drillsApiRef, api]]}>
        <DrillsPage />
      </TestApiProvider>,
    );

    expect(screen.getByText('DR drills')).toBeInTheDocument();
    expect(await screen.findByText('No drills run yet')).toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(screen.getByText('0-0 of 0')).toBeInTheDocument();
  });
});
