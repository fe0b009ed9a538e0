import { fireEvent, screen, waitFor } from '@testing-library/react';
import { fakeDrillsApi, renderDrills } from '../__testUtils__/fakeApi';
import { RunsTab } from './RunsTab';

describe('RunsTab', () => {
  it('asks the server for the chosen state only', async () => {
    const api = fakeDrillsApi();
    await renderDrills(api, <RunsTab />);
    expect(await screen.findByText('No drills run yet')).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText('State'), {
      target: { value: 'finished' },
    });
    await waitFor(() =>
      expect(api.listRuns).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        state: 'finished',
      }),
    );
    expect(await screen.findByText('No finished drills')).toBeInTheDocument();
  });

  it("shows the backend's error with a retry", async () => {
    const api = fakeDrillsApi({
      listRuns: jest.fn().mockRejectedValue(new Error('database is down')),
    });
    await renderDrills(api, <RunsTab />);
    expect(
      await screen.findByText('Error: Could not load drill runs'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeEnabled();
  });
});
