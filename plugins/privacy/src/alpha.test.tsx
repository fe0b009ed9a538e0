import { renderTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { mockApis } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { privacyApiRef } from './api';
import privacyPlugin from './alpha';
import { makeDetail, makeRequest, stubPrivacyApi } from './testing/fixtures';

function api() {
  return stubPrivacyApi({
    listRequests: jest.fn().mockResolvedValue({
      items: [makeRequest({ id: 'dsar0007' })],
      totalCount: 1,
      limit: 25,
      offset: 0,
    }),
    getStatus: jest.fn().mockResolvedValue(makeDetail({ id: 'dsar0007' })),
  });
}

describe('privacy plugin (new frontend system)', () => {
  it('shows the queue at /privacy, linking to the request page', async () => {
    const privacyApi = api();
    renderTestApp({
      features: [privacyPlugin],
      apis: [
        [privacyApiRef, privacyApi],
        [permissionApiRef, mockApis.permission()],
      ],
      initialRouteEntries: ['/privacy'],
    });
    expect(await screen.findByText('dsar0007')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'dsar0007' })).toHaveAttribute(
      'href',
      '/privacy/requests/dsar0007',
    );
  });

  it('shows one request at /privacy/requests/:id', async () => {
    const privacyApi = api();
    renderTestApp({
      features: [privacyPlugin],
      apis: [
        [privacyApiRef, privacyApi],
        [permissionApiRef, mockApis.permission()],
      ],
      initialRouteEntries: ['/privacy/requests/dsar0007'],
    });
    expect(
      await screen.findByText('Privacy request dsar0007'),
    ).toBeInTheDocument();
    expect(privacyApi.getStatus).toHaveBeenCalledWith('dsar0007');
  });
});
