import { alertApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import type { AuditEvent } from '@internal/plugin-privacy-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { PrivacyApi, privacyApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  makeDetail,
  makeRequest,
  responseError,
  stubAlertApi,
  stubPrivacyApi,
} from '../testing/fixtures';
import { PrivacyRouter } from './PrivacyRouter';

function event(seq: number, type: string, data: Record<string, unknown>) {
  return {
    seq,
    recordId: 'dsar-0001',
    type,
    actor: seq === 2 ? 'user:default/approver' : 'user:default/guest',
    at: `2025-03-01T1${seq}:00:00.000Z`,
    data,
    prevHash: `h${seq - 1}`,
    hash: `h${seq}`,
  } satisfies AuditEvent;
}

async function renderRequest(api: PrivacyApi, id = 'dsar-0001') {
  const alertApi = stubAlertApi();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [privacyApiRef, api],
        [permissionApiRef, mockApis.permission()],
        [alertApiRef, alertApi],
      ]}
    >
      <Routes>
        <Route path="/privacy/*" element={<PrivacyRouter />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [`/privacy/requests/${id}`],
      mountedRoutes: {
        '/privacy': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
  return { alertApi };
}

const button = (name: string) => screen.getByRole('button', { name });

describe('RequestPage', () => {
  it('shows the request, its sources, the erasure proof and the timeline, newest last', async () => {
    const api = stubPrivacyApi({
      getStatus: jest.fn().mockResolvedValue(
        makeDetail({
          state: 'completed',
          attempts: 2,
          lastError: 'connection reset',
          extensionReason: 'Subject holds records in an archived system',
          approvedBy: 'user:default/approver',
          completedAt: '2025-03-01T15:00:00.000Z',
          sources: [
            {
              source: 'resource:default/orders-db',
              connection: 'orders',
              status: 'done',
              records: 12,
              remaining: 0,
              error: null,
              finishedAt: '2025-03-01T14:30:00.000Z',
            },
            {
              source: 'resource:default/crm',
              connection: 'crm',
              status: 'failed',
              records: 0,
              remaining: 3,
              error: 'timeout',
              finishedAt: null,
            },
          ],
          erasureProof: {
            verifiedAt: '2025-03-01T15:00:00.000Z',
            sources: 2,
            remaining: 0,
          },
        }),
      ),
      getAudit: jest.fn().mockResolvedValue({
        events: [
          event(3, 'request.state_changed', { from: 'queued', to: 'running' }),
          event(1, 'request.received', { type: 'delete', region: 'EU' }),
          event(2, 'request.approved', {}),
        ],
      }),
    });
    await renderRequest(api);

    expect(await screen.findByText('Erasure dsar-0001')).toBeInTheDocument();
    expect(api.getStatus).toHaveBeenCalledWith('dsar-0001');
    expect(api.getAudit).toHaveBeenCalledWith('dsar-0001');
    expect(screen.getByText('completed')).toBeInTheDocument();
    expect(
      screen.getByText('Subject holds records in an archived system'),
    ).toBeInTheDocument();
    expect(screen.getByText('connection reset')).toBeInTheDocument();
    expect(screen.getByText('Attempts').closest('tr')).toHaveTextContent('2');

    const failedSource = screen.getByText('timeout').closest('tr')!;
    expect(failedSource).toHaveTextContent('failed');
    expect(failedSource).toHaveTextContent('crm');
    expect(
      screen.getByText(/Verified: no record of the subject remains in 2/),
    ).toBeInTheDocument();

    const timeline = await screen.findByText('request.received');
    const types = screen
      .getAllByText(/^request\./)
      .map(element => element.textContent);
    expect(types).toEqual([
      'request.received',
      'request.approved',
      'request.state_changed',
    ]);
    expect(timeline.parentElement).toHaveTextContent('by user:default/guest');
    expect(timeline.parentElement).toHaveTextContent('type=delete, region=EU');
    expect(screen.getByText('by user:default/approver')).toBeInTheDocument();
    expect(screen.getByText('from=queued, to=running')).toBeInTheDocument();

    // Nothing is legal from completed.
    for (const name of [
      'Approve',
      'Cancel request',
      'Retry',
      'Extend deadline',
    ]) {
      expect(button(name)).toBeDisabled();
    }
  });

  it('enables Approve in awaiting_approval, approves, alerts and fetches again', async () => {
    const api = stubPrivacyApi({
      getStatus: jest
        .fn()
        .mockResolvedValueOnce(makeDetail({ state: 'awaiting_approval' }))
        .mockResolvedValue(makeDetail({ state: 'queued' })),
      approve: jest.fn().mockResolvedValue(makeRequest({ state: 'queued' })),
    });
    const { alertApi } = await renderRequest(api);
    await screen.findByText('awaiting_approval');

    expect(button('Approve')).toBeEnabled();
    expect(button('Cancel request')).toBeEnabled();
    expect(button('Extend deadline')).toBeEnabled();
    expect(button('Retry')).toBeDisabled();

    fireEvent.click(button('Approve'));

    await waitFor(() => expect(api.approve).toHaveBeenCalledWith('dsar-0001'));
    expect(await screen.findByText('queued')).toBeInTheDocument();
    expect(api.getStatus).toHaveBeenCalledTimes(2);
    expect(api.getAudit).toHaveBeenCalledTimes(2);
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        message: 'Request dsar-0001 approved',
        severity: 'success',
      }),
    );
    expect(button('Approve')).toBeDisabled();
  });

  it.each([
    ['received', { approve: false, cancel: true, retry: false, extend: true }],
    ['queued', { approve: false, cancel: true, retry: false, extend: true }],
    ['running', { approve: false, cancel: false, retry: false, extend: true }],
    ['failed', { approve: false, cancel: true, retry: true, extend: true }],
    [
      'dead_lettered',
      { approve: false, cancel: true, retry: true, extend: true },
    ],
    [
      'canceled',
      { approve: false, cancel: false, retry: false, extend: false },
    ],
  ] as const)(
    'in %s enables only the legal actions',
    async (state, enabled) => {
      const api = stubPrivacyApi({
        getStatus: jest.fn().mockResolvedValue(makeDetail({ state })),
      });
      await renderRequest(api);
      await screen.findByText('Erasure dsar-0001');

      const isEnabled = (name: string) =>
        !(button(name) as HTMLButtonElement).disabled;
      expect({
        approve: isEnabled('Approve'),
        cancel: isEnabled('Cancel request'),
        retry: isEnabled('Retry'),
        extend: isEnabled('Extend deadline'),
      }).toEqual(enabled);
    },
  );

  it('shows a 409 from the server as an error alert and fetches again', async () => {
    const api = stubPrivacyApi({
      getStatus: jest
        .fn()
        .mockResolvedValue(makeDetail({ state: 'dead_lettered' })),
      retry: jest
        .fn()
        .mockRejectedValue(
          responseError(409, 'request is queued, not dead_lettered'),
        ),
    });
    const { alertApi } = await renderRequest(api);
    await screen.findByText('dead_lettered');

    fireEvent.click(button('Retry'));

    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith({
        message:
          'Cannot retry dsar-0001 now: request is queued, not dead_lettered',
        severity: 'error',
      }),
    );
    await waitFor(() => expect(api.getStatus).toHaveBeenCalledTimes(2));
  });

  it('shows a 403 from the server as an alert', async () => {
    const api = stubPrivacyApi({
      approve: jest
        .fn()
        .mockRejectedValue(
          responseError(403, 'the requester cannot approve their own erasure'),
        ),
    });
    const { alertApi } = await renderRequest(api);
    await screen.findByText('awaiting_approval');

    fireEvent.click(button('Approve'));

    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith({
        message:
          'Not permitted to approve dsar-0001: the requester cannot approve their own erasure',
        severity: 'error',
      }),
    );
  });

  it('extends the deadline only with a reason of 10 characters or more', async () => {
    const api = stubPrivacyApi({
      getStatus: jest.fn().mockResolvedValue(makeDetail({ state: 'running' })),
      extendDeadline: jest.fn().mockResolvedValue(makeRequest()),
    });
    await renderRequest(api);
    await screen.findByText('running');

    fireEvent.click(button('Extend deadline'));
    const dialog = await screen.findByRole('dialog');
    const reason = within(dialog).getByLabelText(/Reason/);
    fireEvent.change(reason, { target: { value: 'too short' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Extend' }));

    expect(
      within(dialog).getByText('Give a reason of at least 10 characters'),
    ).toBeInTheDocument();
    expect(api.extendDeadline).not.toHaveBeenCalled();

    fireEvent.change(reason, {
      target: { value: '  Complex request across 14 systems ' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Extend' }));

    await waitFor(() =>
      expect(api.extendDeadline).toHaveBeenCalledWith('dsar-0001', {
        reason: 'Complex request across 14 systems',
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('downloads the export bundle through the API', async () => {
    const blob = new Blob(['zip']);
    const api = stubPrivacyApi({
      getStatus: jest.fn().mockResolvedValue(
        makeDetail({
          type: 'export',
          state: 'completed',
          completedAt: new Date().toISOString(),
          export: {
            id: 'exp-1',
            sha256: 'abc123',
            sizeBytes: 2048,
            keyId: 'key-1',
            expiresAt: '2999-01-01T00:00:00.000Z',
          },
        }),
      ),
      downloadExport: jest.fn().mockResolvedValue(blob),
    });
    const original = {
      createObjectURL: URL.createObjectURL,
      revokeObjectURL: URL.revokeObjectURL,
    };
    const createObjectURL = jest.fn(() => 'blob:export');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    await renderRequest(api);

    expect(await screen.findByText('Export dsar-0001')).toBeInTheDocument();
    expect(screen.getByText('2.0 KiB')).toBeInTheDocument();
    fireEvent.click(button('Download'));

    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(api.downloadExport).toHaveBeenCalledWith('exp-1');
    expect(createObjectURL).toHaveBeenCalledWith(blob);
    click.mockRestore();
    Object.assign(URL, original);
  });

  it('says so when the request does not exist', async () => {
    const api = stubPrivacyApi({
      getStatus: jest
        .fn()
        .mockRejectedValue(responseError(404, 'no request dsar-9')),
    });
    await renderRequest(api, 'dsar-9');

    expect(await screen.findByText('No such request')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Back to the queue/ }),
    ).toHaveAttribute('href', '/privacy');
  });
});
