import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
