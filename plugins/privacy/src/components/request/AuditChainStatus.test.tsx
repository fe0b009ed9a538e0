import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderWithDecision } from '../../__testUtils__/renderWithDecision';
import { AuditChainStatus } from './AuditChainStatus';

const renderWith = (result: AuthorizeResult) =>
  renderWithDecision(<AuditChainStatus />, result, {
    verifyAudit: jest.fn().mockResolvedValue({ ok: true, count: 3 }),
  });

// The denied case is in a file of its own: usePermission caches decisions per file.
describe('AuditChainStatus', () => {
  it('verifies the chain for those allowed to', async () => {
    const { privacyApi } = renderWith(AuthorizeResult.ALLOW);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Verify audit chain' }),
    );
    expect(
      await screen.findByText('Chain intact: 3 events'),
    ).toBeInTheDocument();
    expect(privacyApi.verifyAudit).toHaveBeenCalledTimes(1);
  });
});
