import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  OBJECTIVE_ID,
  makeAlert,
  page,
  responseError,
  stubSloApi,
} from '../../testing/fixtures';
import { renderWithApi } from '../../__testUtils__/renderWithApi';
import { AlertHistory } from './AlertHistory';

describe('AlertHistory', () => {
  it('lists the alerts with their ticket links and posts an acknowledgement with its reason', async () => {
    const api = stubSloApi({
      listAlerts: jest.fn().mockResolvedValue(page([makeAlert()])),
      acknowledgeAlert: jest.fn().mockResolvedValue(
        makeAlert({
          acknowledged: {
            by: 'user:default/me',
            at: '2025-03-01T11:05:00Z',
            reason: 'on it',
          },
        }),
      ),
    });
    await renderWithApi(api, <AlertHistory objectiveRef={OBJECTIVE_ID} />);

    const ticket = await screen.findByRole('link', { name: /OPS-42/ });
    expect(ticket).toHaveAttribute(
      'href',
      'https://jira.example.com/browse/OPS-42',
    );
    expect(api.listAlerts).toHaveBeenCalledWith({
      limit: 10,
      offset: 0,
      objectiveRef: OBJECTIVE_ID,
    });
    const row = ticket.closest('tr')!;
    expect(row).toHaveTextContent('firing');
    expect(row).toHaveTextContent('fast (page)');

    fireEvent.click(within(row).getByRole('button', { name: 'Acknowledge' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'on it' },
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Acknowledge' }),
    );

    await waitFor(() =>
      expect(api.acknowledgeAlert).toHaveBeenCalledWith('alert-1', {
        reason: 'on it',
      }),
    );
    // The table fetches again to show the acknowledgement.
    await waitFor(() => expect(api.listAlerts).toHaveBeenCalledTimes(2));
  });

  it('says clearly when silencing is not permitted (403)', async () => {
    const api = stubSloApi({
      listAlerts: jest.fn().mockResolvedValue(page([makeAlert()])),
      silenceAlert: jest
        .fn()
        .mockRejectedValue(responseError(403, 'slo.objective.manage denied')),
    });
    await renderWithApi(api, <AlertHistory objectiveRef={OBJECTIVE_ID} />);

    fireEvent.click(await screen.findByRole('button', { name: 'Silence' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'maintenance' },
    });
    fireEvent.change(within(dialog).getByLabelText('Silence for'), {
      target: { value: String(4 * 60) },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Silence' }));

    expect(
      await within(dialog).findByText(
        'Not permitted: slo.objective.manage denied',
      ),
    ).toBeInTheDocument();
    const [id, body] = api.silenceAlert.mock.calls[0];
    expect(id).toBe('alert-1');
    expect(body.reason).toBe('maintenance');
    const hours = (Date.parse(body.until) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(3.9);
    expect(hours).toBeLessThan(4.1);
  });

  it('asks for a reason before posting', async () => {
    const api = stubSloApi({
      listAlerts: jest.fn().mockResolvedValue(page([makeAlert()])),
    });
    await renderWithApi(api, <AlertHistory objectiveRef={OBJECTIVE_ID} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Acknowledge' }),
    );
    expect(within(dialog).getByText('Give a reason')).toBeInTheDocument();
    expect(api.acknowledgeAlert).not.toHaveBeenCalled();
  });
});
