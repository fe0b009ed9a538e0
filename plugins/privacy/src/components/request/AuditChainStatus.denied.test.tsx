import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { act, screen, waitFor } from '@testing-library/react';
import { renderWithDecision } from '../../__testUtils__/renderWithDecision';
import { AuditChainStatus } from './AuditChainStatus';

const renderWith = (result: AuthorizeResult) =>
  renderWithDecision(<AuditChainStatus />, result, {
    verifyAudit: jest.fn().mockResolvedValue({ ok: true, count: 3 }),
  });

// In a file of its own: usePermission caches decisions for the whole file.
describe('AuditChainStatus, denied', () => {
  it('shows nothing to those the policy denies, instead of a button that answers 403', async () => {
    const { authorize, rendered } = renderWith(AuthorizeResult.DENY);
    await rendered;
    await waitFor(() => expect(authorize).toHaveBeenCalled());
    await act(async () => {}); // the decision is applied
    expect(
      screen.queryByRole('button', { name: 'Verify audit chain' }),
    ).not.toBeInTheDocument();
  });
});
