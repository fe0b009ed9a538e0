import { screen, within } from '@testing-library/react';
import {
  calendarEntry,
  fakeDrillsApi,
  renderDrills,
  runListItem,
} from './__testUtils__/fakeApi';
import { DrillsPage } from './DrillsPage';

// The run page has its own tests; here only the route to it matters.
jest.mock('./run/RunPage', () => {
  const { useParams } = jest.requireActual('react-router-dom');
  return {
    RunPage: () => <div>run page of {useParams().id}</div>,
  };
});

describe('DrillsPage', () => {
  it('opens on the calendar tab, with every tab there', async () => {
    const api = fakeDrillsApi({
      getCalendar: jest.fn().mockResolvedValue({
        timezone: 'Europe/Berlin',
        entries: [calendarEntry({ month: '2027-03', localDate: '2027-03-02' })],
      }),
    });
    await renderDrills(api, <DrillsPage />);

    const tabs = screen.getByRole('tablist', { name: 'Drills sections' });
    expect(
      within(tabs)
        .getAllByRole('tab')
        .map(tab => tab.textContent),
    ).toEqual(['Calendar', 'Runs', 'History', 'Runbooks']);
    expect(within(tabs).getByRole('tab', { name: 'Calendar' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    expect(await screen.findByText('March 2027')).toBeInTheDocument();
    expect(api.getCalendar).toHaveBeenCalledWith(12);
  });

  it('lists runs on the runs tab, each linking to its page', async () => {
    const api = fakeDrillsApi({
      listRuns: jest.fn().mockResolvedValue({
        items: [runListItem()],
        totalCount: 1,
        limit: 25,
        offset: 0,
      }),
    });
    await renderDrills(api, <DrillsPage />, '/drills/runs');

    const link = await screen.findByRole('link', {
      name: 'Database failure and restore',
    });
    expect(link).toHaveAttribute('href', '/drills/runs/run-1');
    expect(screen.getByText('3/8 steps')).toBeInTheDocument();
    expect(screen.getByText('1/2')).toBeInTheDocument();
    expect(screen.getByText('user:default/lead')).toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith({ limit: 25, offset: 0 });
  });

  it('points to the calendar when no drill has run', async () => {
    await renderDrills(fakeDrillsApi(), <DrillsPage />, '/drills/runs');
    expect(await screen.findByText('No drills run yet')).toBeInTheDocument();
    expect(screen.getByText('Open the calendar').closest('a')).toHaveAttribute(
      'href',
      '/drills/calendar',
    );
  });

  it('routes a run address to the run page', async () => {
    await renderDrills(fakeDrillsApi(), <DrillsPage />, '/drills/runs/run-7');
    expect(await screen.findByText('run page of run-7')).toBeInTheDocument();
  });
});
