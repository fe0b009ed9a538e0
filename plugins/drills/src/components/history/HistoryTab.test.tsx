import { screen, waitFor } from '@testing-library/react';
import {
  fakeDrillsApi,
  renderDrills,
  scenarioHistory,
} from '../__testUtils__/fakeApi';
import { HistoryTab } from './HistoryTab';

describe('HistoryTab', () => {
  it('charts each scenario with its targets and pass rate', async () => {
    const api = fakeDrillsApi({
      getHistory: jest.fn().mockResolvedValue([scenarioHistory()]),
    });
    await renderDrills(api, <HistoryTab />);

    expect(
      await screen.findByText('Database failure and restore'),
    ).toBeInTheDocument();
    expect(screen.getByText('2 finished runs')).toBeInTheDocument();
    expect(screen.getByLabelText('Checkpoint pass rate')).toHaveTextContent(
      '75%checkpoints met on time (3 of 4)',
    );
    const chart = screen.getByRole('figure', {
      name: 'Time to detect, respond and recover: Database failure and restore',
    });
    // The targets of the phases the scenario times, from its latest run.
    await waitFor(() =>
      expect(
        Array.from(chart.querySelectorAll('.recharts-label')).map(
          label => label.textContent,
        ),
      ).toEqual(['detect target', 'recover target']),
    );
    expect(
      screen.getByRole('figure', {
        name: 'Checkpoint pass rate per run: Database failure and restore',
      }),
    ).toBeInTheDocument();
  });

  it('says so when no drill has finished', async () => {
    const api = fakeDrillsApi({
      getHistory: jest
        .fn()
        .mockResolvedValue([{ ...scenarioHistory(), runs: [] }]),
    });
    await renderDrills(api, <HistoryTab />);
    expect(
      await screen.findByText('No drill has finished yet'),
    ).toBeInTheDocument();
  });
});
