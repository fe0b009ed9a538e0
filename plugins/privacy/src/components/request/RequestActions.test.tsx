import { alertApiRef } from '@backstage/core-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import { act, screen } from '@testing-library/react';
import { privacyApiRef } from '../../api';
import {
  makeRequest,
  stubAlertApi,
  stubPrivacyApi,
} from '../../testing/fixtures';
import { RequestActions } from './RequestActions';

// In a file of its own: usePermission caches decisions for the whole file.
describe('RequestActions', () => {
  it('hides the actions from users whose permissions do not allow them', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [privacyApiRef, stubPrivacyApi()],
          [alertApiRef, stubAlertApi()],
          [
            permissionApiRef,
            mockApis.permission({ authorize: AuthorizeResult.DENY }),
          ],
        ]}
      >
        <RequestActions
          request={makeRequest({ state: 'awaiting_approval', type: 'delete' })}
          onChanged={jest.fn()}
        />
      </TestApiProvider>,
    );
    // Let the permission decisions resolve before asserting their effect.
    await act(() => new Promise(resolve => setTimeout(resolve, 100)));
    expect(
      screen.queryByRole('button', { name: 'Approve' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Extend deadline' }),
    ).not.toBeInTheDocument();
  });
});
