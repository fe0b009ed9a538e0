import { alertApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { privacyApiRef } from './api';
import { PrivacyPage, privacyPlugin } from './plugin';
import { requestRouteRef, rootRouteRef } from './routes';
import {
  makeDetail,
  makeRequest,
  stubAlertApi,
  stubPrivacyApi,
} from './testing/fixtures';

async function renderAt(path: string) {
  const api = stubPrivacyApi({
    listRequests: jest.fn().mockResolvedValue({
      items: [makeRequest({ id: 'dsar0007' })],
      totalCount: 1,
      limit: 25,
      offset: 0,
    }),
    getStatus: jest.fn().mockResolvedValue(makeDetail({ id: 'dsar0007' })),
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [privacyApiRef, api],
        [permissionApiRef, mockApis.permission()],
        [alertApiRef, stubAlertApi()],
      ]}
    >
      <Routes>
        <Route path="/privacy/*" element={<PrivacyPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [path],
      mountedRoutes: {
        '/privacy': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
  return api;
}

describe('privacyPlugin (legacy frontend system)', () => {
  it('offers the root and request routes', () => {
    expect(privacyPlugin.routes).toEqual({
      root: rootRouteRef,
      request: requestRouteRef,
    });
  });

  it('shows the queue at the mount path', async () => {
    const api = await renderAt('/privacy');
    expect(await screen.findByText('dsar0007')).toBeInTheDocument();
    expect(screen.getByText('Privacy requests')).toBeInTheDocument();
    expect(api.getStatus).not.toHaveBeenCalled();
  });

  it('shows one request at requests/:id', async () => {
    const api = await renderAt('/privacy/requests/dsar0007');
    expect(
      await screen.findByText('Privacy request dsar0007'),
    ).toBeInTheDocument();
    expect(api.getStatus).toHaveBeenCalledWith('dsar0007');
    expect(api.listRequests).not.toHaveBeenCalled();
  });
});
