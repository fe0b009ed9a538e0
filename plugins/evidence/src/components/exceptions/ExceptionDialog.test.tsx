import { fireEvent, screen, waitFor } from '@testing-library/react';
import { isoDay } from '../../lib/format';
import { responseError, stubEvidenceApi } from '../../testing/fixtures';
import { renderWithApi } from '../../__testUtils__/render';
import { COMMON_CRITERIA } from '@internal/plugin-evidence-common';
import { ExceptionDialog } from './ExceptionDialog';

function type(label: RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

async function renderDialog(api = stubEvidenceApi()) {
  const onCreated = jest.fn();
  await renderWithApi(
    api,
    <ExceptionDialog
      open
      criteria={COMMON_CRITERIA}
      onClose={jest.fn()}
      onCreated={onCreated}
    />,
  );
  return { api, onCreated };
}

describe('ExceptionDialog', () => {
  it('refuses a reason shorter than 20 characters, counting as you type', async () => {
    const { api } = await renderDialog();
    const record = await screen.findByRole('button', {
      name: 'Record exception',
    });
    expect(record).toBeDisabled();

    type(/^Reason/, 'too short');
    expect(screen.getByText('9 of at least 20 characters')).toBeInTheDocument();
    expect(record).toBeDisabled();
    // Spaces around the reason do not count.
    type(/^Reason/, '   nineteen chars ok   ');
    expect(
      screen.getByText('17 of at least 20 characters'),
    ).toBeInTheDocument();
    expect(record).toBeDisabled();
    fireEvent.click(record);
    expect(api.createException).not.toHaveBeenCalled();

    type(/^Reason/, 'Twenty characters ok');
    expect(screen.getByText('20 characters')).toBeInTheDocument();
    expect(record).toBeEnabled();
  });

  it('sends a valid exception, its expiry the end of the chosen day', async () => {
    const created = {
      id: 'e1',
      point: 'CC9.2',
      reason: 'Vendor reviews start next quarter',
      approver: 'user:default/ciso',
      createdBy: 'user:default/guest',
      createdAt: '2026-12-01T00:00:00.000Z',
      expiresAt: '2027-03-31T23:59:59.999Z',
      revokedAt: null,
    };
    const api = stubEvidenceApi({
      createException: jest
        .fn()
        .mockRejectedValueOnce(responseError(400, 'unknown approver'))
        .mockResolvedValueOnce(created),
    });
    const { onCreated } = await renderDialog(api);
    await screen.findByRole('button', { name: 'Record exception' });

    const expiresOn = isoDay(new Date(), 30);
    type(/^Point/, 'CC9.2');
    type(/^Reason/, '  Vendor reviews start next quarter ');
    type(/^Approver/, 'user:default/ciso');
    type(/^Expires on/, expiresOn);
    fireEvent.click(screen.getByRole('button', { name: 'Record exception' }));

    // The server's refusal is shown and nothing is lost.
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'unknown approver',
    );
    expect(onCreated).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Record exception' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(api.createException).toHaveBeenLastCalledWith({
      point: 'CC9.2',
      reason: 'Vendor reviews start next quarter',
      approver: 'user:default/ciso',
      expiresAt: `${expiresOn}T23:59:59.999Z`,
    });
  });

  it('names the missing fields instead of sending', async () => {
    const { api } = await renderDialog();
    type(/^Reason/, 'A reason that is long enough');
    fireEvent.click(
      await screen.findByRole('button', { name: 'Record exception' }),
    );
    expect(await screen.findAllByText('Required')).toHaveLength(3);
    expect(api.createException).not.toHaveBeenCalled();
  });
});
