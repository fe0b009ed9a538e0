import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import {
  alertDetail,
  alertSummary,
  fakeSecurityApi,
  renderSecurity,
  responseError,
} from '../__testUtils__/fakeApi';

const PATH = '/security/alerts/alert-1';

describe('AlertPage', () => {
  it('shows the alert and its triggering events, each with its ECS document', async () => {
    const api = fakeSecurityApi({
      getAlert: jest.fn().mockResolvedValue(alertDetail()),
    });
    await renderSecurity(api, PATH);

    expect(
      await screen.findByRole('heading', {
        name: 'Brute force from 203.0.113.7',
      }),
    ).toBeInTheDocument();
    expect(api.getAlert).toHaveBeenCalledWith('alert-1');
    expect(screen.getByText('brute-force')).toBeInTheDocument();
    expect(screen.getByText('source.ip: 203.0.113.7')).toBeInTheDocument();
    expect(screen.getByText('Sent')).toBeInTheDocument();

    const table = screen.getByRole('table', { name: 'Triggering events' });
    const rows = within(table).getAllByRole('row');
    const first = rows.find(row => within(row).queryByText('mallory-0'))!;
    for (const text of [
      'auth.login',
      'failure',
      '203.0.113.7',
      'POST /api/auth/guest/refresh',
      '401',
      'curl',
    ]) {
      expect(within(first).getByText(text)).toBeInTheDocument();
    }

    expect(
      screen.queryByLabelText('ECS document of event 1'),
    ).not.toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Show the ECS document of event 1' }),
    );
    const json = await screen.findByLabelText('ECS document of event 1');
    expect(JSON.parse(json.textContent!)).toEqual(alertDetail().events[0]);
  });

  it("shows the backend's error when the alert cannot be loaded", async () => {
    const api = fakeSecurityApi({
      getAlert: jest
        .fn()
        .mockRejectedValue(await responseError(404, 'No alert alert-1')),
    });
    await renderSecurity(api, PATH);
    expect(
      await screen.findByText('Error: Could not load the alert'),
    ).toBeInTheDocument();
    expect(screen.getByText('No alert alert-1')).toBeInTheDocument();
  });

  it('acknowledges with a note and shows the new status at once', async () => {
    const api = fakeSecurityApi({
      getAlert: jest.fn().mockResolvedValue(alertDetail()),
      changeAlertStatus: jest.fn().mockResolvedValue(
        alertSummary({
          status: 'acknowledged',
          statusChange: {
            by: 'user:default/alice',
            at: '2026-03-07T11:00:00.000Z',
            note: 'Looking into it',
          },
        }),
      ),
    });
    await renderSecurity(api, PATH);

    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    const dialog = await screen.findByRole('dialog');
    const submit = within(dialog).getByRole('button', { name: 'Acknowledge' });
    expect(submit).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Note/), {
      target: { value: '  Looking into it ' },
    });
    fireEvent.click(submit);

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.changeAlertStatus).toHaveBeenCalledWith('alert-1', {
      status: 'acknowledged',
      note: 'Looking into it',
    });
    expect(screen.getByText('acknowledged')).toBeInTheDocument();
    expect(screen.getByText(/Looking into it/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Close' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reopen' })).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Acknowledge' }),
    ).not.toBeInTheDocument();
    // The events stay: the answer is a summary without them.
    expect(screen.getByText('mallory-0')).toBeInTheDocument();
    expect(api.getAlert).toHaveBeenCalledTimes(1);
  });

  it("keeps the dialog open with the backend's message when the change is refused", async () => {
    const api = fakeSecurityApi({
      getAlert: jest.fn().mockResolvedValue(alertDetail({ status: 'closed' })),
      changeAlertStatus: jest
        .fn()
        .mockRejectedValue(await responseError(409, 'Alert is already open')),
    });
    await renderSecurity(api, PATH);

    fireEvent.click(await screen.findByRole('button', { name: 'Reopen' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Note/), {
      target: { value: 'Seen again' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Reopen' }));

    expect(
      await within(dialog).findByText('Alert is already open'),
    ).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.getByText('closed')).toBeInTheDocument();
  });

  it('shows no status buttons without security.alert.manage', async () => {
    const api = fakeSecurityApi({
      getAlert: jest.fn().mockResolvedValue(alertDetail()),
    });
    const { authorize } = await renderSecurity(api, PATH, AuthorizeResult.DENY);

    expect(await screen.findByText('mallory-0')).toBeInTheDocument();
    // The decision was asked for and has arrived before looking for buttons.
    await waitFor(() =>
      expect(authorize).toHaveBeenCalledWith(
        expect.objectContaining({
          permission: expect.objectContaining({
            name: 'security.alert.manage',
          }),
        }),
      ),
    );
    await act(async () => {
      await authorize.mock.results[0].value;
    });
    expect(
      screen.queryByRole('button', { name: 'Acknowledge' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Close' }),
    ).not.toBeInTheDocument();
    expect(api.changeAlertStatus).not.toHaveBeenCalled();
  });
});
