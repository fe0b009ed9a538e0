import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { act, screen, waitFor } from '@testing-library/react';
import { privacyApiRef } from '../../api';
import { stubPrivacyApi } from '../../testing/fixtures';
import { AuditChainStatus } from './AuditChainStatus';

function renderWith(result: AuthorizeResult) {
  const authorize = jest.fn().mockResolvedValue({ result });
  const privacyApi = stubPrivacyApi({
    verifyAudit: jest.fn().mockResolvedValue({ ok: true, count: 3 }),
  });
  const rendered = renderInTestApp(
    <TestApiProvider
      apis={[
        [privacyApiRef, privacyApi],
        [permissionApiRef, { authorize }],
      ]}
    >
      <AuditChainStatus />
    </TestApiProvider>,
  );
  return { authorize, privacyApi, rendered };
}

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
