import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import type { DrillsApi } from '../../api';
import {
  calendarEntry,
  fakeDrillsApi,
  renderDrills,
  responseError,
  runListItem,
  runView,
  runbookSummary,
} from '../__testUtils__/fakeApi';
import { CalendarTab } from './CalendarTab';

// 1 December 2026, 10:00 in Berlin: the December drill is this month's.
const NOW = () => new Date('2026-12-01T09:00:00Z');

const ENTRIES = [
  calendarEntry(),
  calendarEntry({
    month: '2027-01',
    scenarioId: 'bad-deploy',
    localDate: '2027-01-05',
    status: 'swapped',
    originalScenarioId: 'database-restore',
    reason: 'The database team is offsite',
    changedBy: 'user:default/lead',
  }),
  calendarEntry({
    month: '2027-02',
    scenarioId: 'key-rotation',
    localDate: '2027-02-02',
    status: 'skipped',
    reason: 'Company-wide freeze',
    changedBy: 'user:default/cto',
  }),
];

function calendarApi(overrides: Partial<jest.Mocked<DrillsApi>> = {}) {
  return fakeDrillsApi({
    getCalendar: jest
      .fn()
      .mockResolvedValue({ timezone: 'Europe/Berlin', entries: ENTRIES }),
    listRunbooks: jest.fn().mockResolvedValue({
      runbooks: [
        runbookSummary(),
        runbookSummary({ id: 'bad-deploy', title: 'Bad deployment rollback' }),
        runbookSummary({
          id: 'portal-deploy',
          kind: 'procedure',
          title: 'Deploying the portal',
        }),
      ],
      problems: [],
    }),
    ...overrides,
  });
}

async function renderCalendar(
  api: DrillsApi,
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  await renderDrills(
    api,
    <Routes>
      <Route path="runs/:id" element={<div>the run page</div>} />
      <Route path="*" element={<CalendarTab now={NOW} />} />
    </Routes>,
    '/drills',
    permission,
  );
  await screen.findByText('December 2026');
}

const row = (month: string) =>
  screen.getByText(month).closest('tr') as HTMLElement;

describe('CalendarTab', () => {
  it('shows each month with its day, local time, scenario and status', async () => {
    await renderCalendar(calendarApi());

    expect(
      within(row('December 2026')).getByText(/Tue, Dec 1, 2026, 10:00/),
    ).toBeInTheDocument();
    expect(
      within(row('December 2026')).getByText('Europe/Berlin'),
    ).toBeInTheDocument();
    expect(
      within(row('December 2026')).getByRole('link', {
        name: 'Database failure and restore',
      }),
    ).toHaveAttribute('href', '/drills/runbooks/database-restore');

    const january = row('January 2027');
    expect(
      within(january).getByText('Bad deployment rollback'),
    ).toBeInTheDocument();
    expect(
      within(january).getByText('instead of Database failure and restore'),
    ).toBeInTheDocument();
    expect(within(january).getByText('swapped')).toBeInTheDocument();
    expect(
      within(january).getByText(/The database team is offsite/),
    ).toBeInTheDocument();
    expect(within(january).getByText(/user:default\/lead/)).toBeInTheDocument();

    const february = row('February 2027');
    expect(within(february).getByText('skipped')).toBeInTheDocument();
    // Only this month's drill can be started from its row.
    expect(
      screen.getAllByRole('button', { name: 'Start this drill' }),
    ).toHaveLength(1);
    expect(
      within(february).queryByRole('button', { name: 'Start this drill' }),
    ).not.toBeInTheDocument();
  });

  it("starts this month's drill with its month and the named participants, then opens it", async () => {
    const api = calendarApi({
      startRun: jest.fn().mockResolvedValue(runView({ id: 'run-9' })),
    });
    await renderCalendar(api);

    fireEvent.click(
      await within(row('December 2026')).findByRole('button', {
        name: 'Start this drill',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Start the December 2026 drill'),
    ).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^Scenario/)).toHaveValue(
      'database-restore',
    );

    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Add participant' }),
    );
    fireEvent.change(within(dialog).getByLabelText('Participant 1'), {
      target: { value: 'not a ref:' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Start drill' }),
    );
    expect(
      await within(dialog).findByText(/Not an entity ref/),
    ).toBeInTheDocument();
    expect(api.startRun).not.toHaveBeenCalled();

    fireEvent.change(within(dialog).getByLabelText('Participant 1'), {
      target: { value: 'jane.doe' },
    });
    fireEvent.change(within(dialog).getByLabelText('Role 1'), {
      target: { value: 'scribe' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Start drill' }),
    );

    expect(await screen.findByText('the run page')).toBeInTheDocument();
    expect(api.startRun).toHaveBeenCalledWith({
      scenarioId: 'database-restore',
      calendarMonth: '2026-12',
      participants: [{ entityRef: 'user:default/jane.doe', role: 'scribe' }],
    });
  });

  it('links to the run instead when this month was started already', async () => {
    const api = calendarApi({
      listRuns: jest.fn().mockResolvedValue({
        items: [runListItem({ id: 'run-3' })],
        totalCount: 1,
        limit: 50,
        offset: 0,
      }),
    });
    await renderCalendar(api);
    expect(
      await screen.findByRole('link', { name: "Open this month's drill" }),
    ).toHaveAttribute('href', '/drills/runs/run-3');
    expect(
      screen.queryByRole('button', { name: 'Start this drill' }),
    ).not.toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith({
      limit: 50,
      offset: 0,
      scenarioId: 'database-restore',
    });
  });

  it('starts an ad-hoc drill of a picked scenario, and says so when the caller may not lead', async () => {
    const api = calendarApi({
      startRun: jest
        .fn()
        .mockRejectedValue(responseError(403, 'only drill leads start drills')),
    });
    await renderCalendar(api);

    fireEvent.click(screen.getByRole('button', { name: 'Start a drill' }));
    const dialog = await screen.findByRole('dialog');
    const scenario = within(dialog).getByLabelText(/^Scenario/);
    // Scenarios only: procedures are not drilled.
    expect(
      within(scenario)
        .getAllByRole('option')
        .map(option => option.textContent),
    ).toEqual([
      'Choose a scenario',
      'Database failure and restore',
      'Bad deployment rollback',
    ]);
    fireEvent.change(scenario, { target: { value: 'bad-deploy' } });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Start drill' }),
    );

    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Not permitted: only drill leads start drills',
    );
    expect(api.startRun).toHaveBeenCalledWith({ scenarioId: 'bad-deploy' });
  });

  it('refuses a short reason for an override and shows what the server refused', async () => {
    const recorded = {
      month: '2027-01',
      kind: 'swap' as const,
      scenarioId: 'bad-deploy',
      date: null,
      reason: 'The database team is offsite',
      recordedBy: 'user:default/lead',
      recordedAt: '2026-12-01T09:00:00Z',
    };
    const api = calendarApi({
      recordOverride: jest
        .fn()
        .mockRejectedValueOnce(responseError(400, 'January is already swapped'))
        .mockResolvedValueOnce(recorded),
    });
    await renderCalendar(api);

    fireEvent.click(
      screen.getByRole('button', { name: 'Skip or swap a month' }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Change'), {
      target: { value: 'swap' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Month/), {
      target: { value: '2027-01' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Reason/), {
      target: { value: '  offsite  ' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Record' }));
    expect(
      await within(dialog).findByText('At least 10 characters (7 so far)'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('Choose the scenario to drill instead'),
    ).toBeInTheDocument();
    expect(api.recordOverride).not.toHaveBeenCalled();

    fireEvent.change(within(dialog).getByLabelText(/^Scenario instead/), {
      target: { value: 'bad-deploy' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Reason/), {
      target: { value: 'The database team is offsite ' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Record' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'January is already swapped',
    );

    fireEvent.click(within(dialog).getByRole('button', { name: 'Record' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.recordOverride).toHaveBeenLastCalledWith({
      month: '2027-01',
      kind: 'swap',
      scenarioId: 'bad-deploy',
      reason: 'The database team is offsite',
    });
    // The calendar and the overrides are read again.
    await waitFor(() => expect(api.getCalendar).toHaveBeenCalledTimes(2));
    expect(api.listOverrides).toHaveBeenCalledTimes(2);
  });

  it('offers starting, skipping and swapping only to those who may lead', async () => {
    await renderCalendar(calendarApi(), AuthorizeResult.DENY);
    expect(screen.getByRole('button', { name: 'Subscribe' })).toBeVisible();
    for (const name of [
      'Start a drill',
      'Skip or swap a month',
      'Start this drill',
    ]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('shows the subscription address and a webcal link', async () => {
    const api = calendarApi();
    await renderCalendar(api);
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByLabelText('Calendar address'),
    ).toHaveValue('https://portal.example/api/drills/ics/t');
    expect(
      within(dialog).getByRole('link', { name: 'Open in your calendar app' }),
    ).toHaveAttribute('href', 'webcal://portal.example/api/drills/ics/t');
  });

  it("shows the calendar's error with a retry", async () => {
    const api = calendarApi({
      getCalendar: jest.fn().mockRejectedValue(new Error('boom')),
    });
    await renderDrills(api, <CalendarTab now={NOW} />);
    expect(
      await screen.findByText('Error: Could not load the calendar'),
    ).toBeInTheDocument();
  });
});
