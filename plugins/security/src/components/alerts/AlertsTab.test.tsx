import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  alertSummary,
  emptyPage,
  fakeSecurityApi,
  pipelineStats,
  renderSecurity,
  responseError,
  ruleInfo,
  summaryByDay,
} from '../__testUtils__/fakeApi';

describe('AlertsTab', () => {
  it('shows a progress bar while the alerts load', async () => {
    const api = fakeSecurityApi({
      listAlerts: jest.fn().mockReturnValue(new Promise<never>(() => {})),
      getSummary: jest.fn().mockReturnValue(new Promise<never>(() => {})),
    });
    await renderSecurity(api);
    expect(await screen.findAllByRole('progressbar')).not.toHaveLength(0);
    expect(screen.queryByText(/No alerts/)).not.toBeInTheDocument();
  });

  it('says how many events the rules watched when there are no alerts', async () => {
    const api = fakeSecurityApi({
      getPipeline: jest.fn().mockResolvedValue(pipelineStats({ events: 1234 })),
    });
    await renderSecurity(api);
    expect(
      await screen.findByText(
        'No alerts — the rules are watching 1,234 events so far',
      ),
    ).toBeInTheDocument();
    expect(api.listAlerts).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(api.getSummary).toHaveBeenCalledWith(30);
  });

  it("shows the backend's error and loads again on Try again", async () => {
    const api = fakeSecurityApi({
      listAlerts: jest
        .fn()
        .mockRejectedValueOnce(
          await responseError(403, 'Not allowed to read alerts'),
        )
        .mockResolvedValue(emptyPage),
    });
    await renderSecurity(api);
    expect(
      await screen.findByText('Error: Could not load alerts'),
    ).toBeInTheDocument();
    expect(screen.getByText('Not allowed to read alerts')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText(/No alerts — the rules/),
    ).toBeInTheDocument();
    expect(api.listAlerts).toHaveBeenCalledTimes(2);
  });

  it('lists alerts with chips, group, count and notification, linking to each', async () => {
    const api = fakeSecurityApi({
      listAlerts: jest.fn().mockResolvedValue({
        items: [
          alertSummary(),
          alertSummary({
            id: 'alert-2',
            title: 'Privileged action after hours',
            severity: 'critical',
            status: 'acknowledged',
            groupBy: 'user.id',
            groupKey: 'user:default/ops',
            count: 1,
            notification: 'pending',
          }),
        ],
        totalCount: 2,
        limit: 25,
        offset: 0,
      }),
      getSummary: jest.fn().mockResolvedValue(summaryByDay(2)),
    });
    await renderSecurity(api);

    const link = await screen.findByRole('link', {
      name: 'Brute force from 203.0.113.7',
    });
    expect(link).toHaveAttribute('href', '/security/alerts/alert-1');
    const row = link.closest('tr')!;
    expect(within(row).getByText('high')).toBeInTheDocument();
    expect(within(row).getByText('open')).toBeInTheDocument();
    expect(within(row).getByText('source.ip: 203.0.113.7')).toBeInTheDocument();
    expect(within(row).getByText('5')).toBeInTheDocument();
    expect(within(row).getByText('Sent')).toBeInTheDocument();

    const second = screen
      .getByRole('link', { name: 'Privileged action after hours' })
      .closest('tr')!;
    expect(within(second).getByText('critical')).toBeInTheDocument();
    expect(within(second).getByText('acknowledged')).toBeInTheDocument();
    expect(within(second).getByText('Pending')).toBeInTheDocument();

    expect(
      screen.getByRole('status', { name: 'Open alerts' }),
    ).toHaveTextContent('2 open alerts');
    expect(
      screen.getByRole('figure', { name: 'Alerts per day by severity' }),
    ).toBeInTheDocument();
  });

  it('sends the filters to the server and starts again at the first page', async () => {
    const api = fakeSecurityApi({
      listRules: jest.fn().mockResolvedValue({
        rules: [
          ruleInfo(),
          ruleInfo({ id: 'dsar-abuse', title: 'DSAR abuse' }),
        ],
      }),
    });
    await renderSecurity(api);
    await screen.findByText(/No alerts — the rules/);
    await screen.findByRole('option', { name: 'DSAR abuse' });

    fireEvent.change(screen.getByLabelText('Status'), {
      target: { value: 'open' },
    });
    await waitFor(() =>
      expect(api.listAlerts).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        status: 'open',
      }),
    );
    fireEvent.change(screen.getByLabelText('Severity'), {
      target: { value: 'critical' },
    });
    fireEvent.change(screen.getByLabelText('Rule'), {
      target: { value: 'dsar-abuse' },
    });
    await waitFor(() =>
      expect(api.listAlerts).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        status: 'open',
        severity: 'critical',
        ruleId: 'dsar-abuse',
      }),
    );
    expect(
      await screen.findByText('No alerts match these filters'),
    ).toBeInTheDocument();
  });

  it('pages on the server with the total count', async () => {
    const api = fakeSecurityApi({
      listAlerts: jest.fn(async ({ limit, offset }) => ({
        items: [
          alertSummary({ id: `alert-${offset}`, title: `Alert at ${offset}` }),
        ],
        totalCount: 60,
        limit,
        offset,
      })),
    });
    await renderSecurity(api);
    expect(await screen.findByText('Alert at 0')).toBeInTheDocument();
    expect(screen.getByText('1-25 of 60')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Alert at 25')).toBeInTheDocument();
    expect(api.listAlerts).toHaveBeenLastCalledWith({ limit: 25, offset: 25 });
    expect(screen.getByText('26-50 of 60')).toBeInTheDocument();
  });

  it('shows the summary error apart from the list', async () => {
    const api = fakeSecurityApi({
      getSummary: jest
        .fn()
        .mockRejectedValue(await responseError(500, 'database down')),
    });
    await renderSecurity(api);
    expect(
      await screen.findByText('Error: Could not load the alert summary'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/No alerts — the rules/),
    ).toBeInTheDocument();
  });
});
