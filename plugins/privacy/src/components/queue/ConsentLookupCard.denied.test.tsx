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
import { stubAlertApi, stubPrivacyApi } from '../../testing/fixtures';
import { ConsentLookupCard } from './ConsentLookupCard';

// In a file of its own: usePermission caches decisions for the whole file.
describe('ConsentLookupCard without privacy.request.create', () => {
  it('hides the Record consent button but keeps the lookup', async () => {
    const authorize = jest.fn().mockReturnValue(AuthorizeResult.DENY);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [privacyApiRef, stubPrivacyApi()],
          [alertApiRef, stubAlertApi()],
          [permissionApiRef, mockApis.permission({ authorize })],
        ]}
      >
        <ConsentLookupCard />
      </TestApiProvider>,
    );
    // Let the permission decision resolve before asserting its effect.
    await act(() => new Promise(resolve => setTimeout(resolve, 100)));
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        permission: expect.objectContaining({ name: 'privacy.request.create' }),
      }),
    );
    expect(
      screen.queryByRole('button', { name: 'Record consent' }),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Look up' })).toBeInTheDocument();
  });
});
