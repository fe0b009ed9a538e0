import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { EvidenceException } from '@internal/plugin-evidence-common';
import { page, stubEvidenceApi } from '../../testing/fixtures';
import { renderWithApi } from '../../__testUtils__/render';
import { ExceptionsTab } from './ExceptionsTab';

const active: EvidenceException = {
  id: 'e1',
  point: 'CC9.2',
  reason: 'Vendor reviews start next quarter',
  approver: 'user:default/ciso',
  createdBy: 'user:default/guest',
  createdAt: '2026-11-01T00:00:00.000Z',
  expiresAt: '2999-03-31T23:59:59.999Z',
  revokedAt: null,
};

describe('ExceptionsTab', () => {
  it('lists active exceptions, filters by state and revokes one', async () => {
    const api = stubEvidenceApi({
      listExceptions: jest
        .fn()
        .mockResolvedValueOnce(page([active]))
        .mockResolvedValue(page([])),
      revokeException: jest
        .fn()
        .mockResolvedValue({ ...active, revokedAt: '2026-12-01T00:00:00.000Z' }),
    });
    await renderWithApi(api, <ExceptionsTab />);

    const row = (await screen.findByText('Vendor reviews start next quarter')).closest('tr')!;
    expect(row).toHaveTextContent('CC9.2');
    expect(row).toHaveTextContent('active');
    expect(api.listExceptions).toHaveBeenCalledWith({ limit: 25, offset: 0, state: 'active' });

    fireEvent.click(within(row).getByText('Revoke').closest('button')!);
    const dialog = (await screen.findByText('Revoke the exception for CC9.2?')).closest(
      '[role="dialog"]',
    ) as HTMLElement;
    fireEvent.click(within(dialog).getByText('Revoke').closest('button')!);
    await waitFor(() => expect(api.revokeException).toHaveBeenCalledWith('e1'));
    expect(await screen.findByText('No active exceptions')).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText('State'), { target: { value: 'revoked' } });
    await waitFor(() =>
      expect(api.listExceptions).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        state: 'revoked',
      }),
    );
  });
});
