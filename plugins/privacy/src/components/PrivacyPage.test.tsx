import { alertApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import type { DsarRequest } from '@internal/plugin-privacy-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { PrivacyApi, privacyApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  hoursFromNow,
  makeRequest,
  responseError,
  stubAlertApi,
  stubPrivacyApi,
} from '../testing/fixtures';
import { PrivacyPage } from './PrivacyPage';

function withItems(items: DsarRequest[]) {
  return stubPrivacyApi({
    listRequests: jest.fn().mockResolvedValue({
      items,
      totalCount: items.length,
      limit: 25,
      offset: 0,
    }),
  });
}

async function renderPage(api: PrivacyApi, alertApi = stubAlertApi()) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [privacyApiRef, api],
        [permissionApiRef, mockApis.permission()],
        [alertApiRef, alertApi],
      ]}
    >
      <PrivacyPage />
    </TestApiProvider>,
    { mountedRoutes: { '/privacy': rootRouteRef } },
  );
  return { alertApi };
}

function rowOf(text: string) {
  return screen.getByText(text).closest('tr')!;
}

describe('PrivacyPage', () => {
  it('shows the honest empty state when there are no requests', async () => {
    const api = withItems([]);
    await renderPage(api);

    expect(screen.getByText('Privacy requests')).toBeInTheDocument();
    expect(
      await screen.findByText('No privacy requests yet'),
    ).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(screen.getByText('0-0 of 0')).toBeInTheDocument();
  });

  it('lists a request the API returns, linked to its page', async () => {
    const api = withItems([
      makeRequest({ id: 'dsar0001', priority: 10, demo: true }),
    ]);
    await renderPage(api);

    expect(await screen.findByText('dsar0001')).toBeInTheDocument();
    const row = rowOf('dsar0001');
    expect(row).toHaveTextContent('delete');
    expect(row).toHaveTextContent('awaiting_approval');
    expect(row).toHaveTextContent('EU');
    expect(row).toHaveTextContent('HIGH');
    expect(row).toHaveTextContent('user:default/guest');
    expect(within(row).getByText('demo')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'dsar0001' })).toHaveAttribute(
      'href',
      '/privacy/requests/dsar0001',
    );
    expect(screen.getByText('1-1 of 1')).toBeInTheDocument();
    expect(
      screen.queryByText('No privacy requests yet'),
    ).not.toBeInTheDocument();
  });

  it('shows the SLA countdown: due in, overdue by, done in', async () => {
    const api = withItems([
      makeRequest({ id: 'r-due', state: 'queued', slaDueAt: hoursFromNow(5) }),
      makeRequest({
        id: 'r-late',
        state: 'running',
        slaDueAt: hoursFromNow(-2),
      }),
      makeRequest({
        id: 'r-done',
        state: 'completed',
        createdAt: '2025-03-01T10:00:00.000Z',
        completedAt: '2025-03-01T13:12:00.000Z',
        slaDueAt: '2025-03-02T10:00:00.000Z',
      }),
    ]);
    await renderPage(api);

    await screen.findByText('r-due');
    expect(rowOf('r-due')).toHaveTextContent('due in 5 h');
    expect(rowOf('r-late')).toHaveTextContent('overdue by 2 h');
    expect(rowOf('r-done')).toHaveTextContent('done in 3.2 h');
    expect(within(rowOf('r-due')).queryByText('demo')).not.toBeInTheDocument();
  });

  it('sends the filters and sort as the list query, from the first page', async () => {
    const api = withItems([]);
    await renderPage(api);
    await screen.findByText('No privacy requests yet');

    fireEvent.change(screen.getByLabelText('State'), {
      target: { value: 'failed' },
    });
    await waitFor(() =>
      expect(api.listRequests).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        state: 'failed',
      }),
    );

    fireEvent.change(screen.getByLabelText('Type'), {
      target: { value: 'delete' },
    });
    fireEvent.change(screen.getByLabelText('Region'), {
      target: { value: 'UK' },
    });
    fireEvent.change(screen.getByLabelText('Priority'), {
      target: { value: 'URGENT' },
    });
    fireEvent.click(screen.getByLabelText('Overdue only'));
    fireEvent.change(screen.getByLabelText('Sort'), {
      target: { value: 'slaDueAt:asc' },
    });

    await waitFor(() =>
      expect(api.listRequests).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        state: 'failed',
        type: 'delete',
        region: 'UK',
        priority: 'URGENT',
        overdue: true,
        sort: 'slaDueAt',
        order: 'asc',
      }),
    );
    expect(
      await screen.findByText('No request matches these filters'),
    ).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText('State'), {
      target: { value: '' },
    });
    await waitFor(() =>
      expect(api.listRequests.mock.lastCall?.[0]).not.toHaveProperty('state'),
    );
  });

  it('aggregates the SLA report per type and says "no data" when nothing counted', async () => {
    const api = withItems([]);
    api.getSlaReport.mockResolvedValue({
      windowDays: 30,
      objective: 0.95,
      rows: [
        {
          type: 'export',
          region: 'EU',
          total: 30,
          withinSla: 29,
          compliance: 29 / 30,
          objective: 0.95,
          p50Hours: 2,
          p95Hours: 9.5,
          p99Hours: 12,
          atRisk: 1,
          burnRate: 0.67,
        },
        {
          type: 'export',
          region: 'US',
          total: 10,
          withinSla: 7,
          compliance: 0.7,
          objective: 0.95,
          p50Hours: 4,
          p95Hours: 20.25,
          p99Hours: 30,
          atRisk: 2,
          burnRate: 6,
        },
        {
          type: 'delete',
          region: 'EU',
          total: 0,
          withinSla: 0,
          compliance: null,
          objective: 0.95,
          p50Hours: null,
          p95Hours: null,
          p99Hours: null,
          atRisk: 0,
          burnRate: null,
        },
      ],
    });
    api.getQueueMetrics.mockResolvedValue({
      waiting: 4,
      active: 1,
      delayed: 0,
      completed: 50,
      failed: 2,
      deadLettered: 3,
    });
    await renderPage(api);

    // export: 36 of 40 = 90% against 95%: burn rate 0.1 / 0.05 = 2.
    expect(await screen.findByLabelText('export compliance')).toHaveTextContent(
      '90.0%',
    );
    expect(screen.getByText('below the 95.0% objective')).toBeInTheDocument();
    expect(screen.getByText('36 of 40')).toBeInTheDocument();
    expect(screen.getByText('20.3 h (slowest region)')).toBeInTheDocument();
    expect(screen.getByText('2.00×')).toBeInTheDocument();
    expect(screen.getByLabelText('delete compliance')).toHaveTextContent(
      'no data',
    );
    expect(rowOf('Waiting')).toHaveTextContent('Waiting4');
    expect(rowOf('Failed')).toHaveTextContent('Failed2');
    expect(rowOf('Dead-lettered')).toHaveTextContent('Dead-lettered3');
  });

  describe('new request dialog', () => {
    async function openDialog(api: PrivacyApi) {
      const rendered = await renderPage(api);
      await screen.findByText('No privacy requests yet');
      fireEvent.click(screen.getByRole('button', { name: /new request/i }));
      return { ...rendered, dialog: await screen.findByRole('dialog') };
    }

    it('shows field errors and sends nothing when the subject id is empty', async () => {
      const api = withItems([]);
      const { dialog } = await openDialog(api);

      fireEvent.click(within(dialog).getByRole('button', { name: 'Submit' }));

      const subjectId = within(dialog).getByLabelText(/Subject id/);
      expect(subjectId).toHaveAttribute('aria-invalid', 'true');
      expect(within(dialog).getByText('Required')).toBeInTheDocument();
      expect(
        within(dialog).getByText('Choose one of EU, US, UK, APAC'),
      ).toBeInTheDocument();
      expect(api.submitExport).not.toHaveBeenCalled();
      expect(api.submitDelete).not.toHaveBeenCalled();
    });

    it('submits the parsed body, closes, alerts and reloads the queue', async () => {
      const api = withItems([]);
      api.submitExport.mockResolvedValue({
        request: makeRequest({ id: 'dsar-0042', type: 'export' }),
        duplicate: false,
      });
      const { dialog, alertApi } = await openDialog(api);
      expect(api.listRequests).toHaveBeenCalledTimes(1);

      fireEvent.change(within(dialog).getByLabelText(/Subject id/), {
        target: { value: '  customer-7 ' },
      });
      fireEvent.change(within(dialog).getByLabelText('Region'), {
        target: { value: 'EU' },
      });
      fireEvent.change(within(dialog).getByLabelText('Jurisdiction'), {
        target: { value: 'GDPR' },
      });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Submit' }));

      await waitFor(() => expect(api.submitExport).toHaveBeenCalledTimes(1));
      expect(api.submitExport).toHaveBeenCalledWith(
        {
          subject: { id: 'customer-7' },
          region: 'EU',
          jurisdiction: 'GDPR',
          priority: 'NORMAL',
        },
        { idempotencyKey: expect.any(String) },
      );
      expect(api.submitDelete).not.toHaveBeenCalled();
      await waitFor(() =>
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
      );
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: 'Export request dsar-0042 received',
          severity: 'success',
        }),
      );
      await waitFor(() => expect(api.listRequests).toHaveBeenCalledTimes(2));
    });

    it('shows the server error in the dialog and keeps it open', async () => {
      const api = withItems([]);
      api.submitDelete.mockRejectedValue(
        responseError(400, 'subject.email: Invalid email'),
      );
      const { dialog, alertApi } = await openDialog(api);

      fireEvent.change(within(dialog).getByLabelText('Type'), {
        target: { value: 'delete' },
      });
      fireEvent.change(within(dialog).getByLabelText(/Subject id/), {
        target: { value: 'customer-7' },
      });
      fireEvent.change(within(dialog).getByLabelText('Region'), {
        target: { value: 'US' },
      });
      fireEvent.change(within(dialog).getByLabelText('Jurisdiction'), {
        target: { value: 'CCPA' },
      });
      fireEvent.change(within(dialog).getByLabelText('Priority'), {
        target: { value: 'HIGH' },
      });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Submit' }));

      expect(
        await within(dialog).findByText('subject.email: Invalid email'),
      ).toBeInTheDocument();
      expect(api.submitDelete).toHaveBeenCalledWith(
        {
          subject: { id: 'customer-7' },
          region: 'US',
          jurisdiction: 'CCPA',
          priority: 'HIGH',
        },
        expect.anything(),
      );
      expect(screen.getByRole('dialog')).toBeInTheDocument();
      expect(alertApi.post).not.toHaveBeenCalled();
    });
  });

  it("looks up a subject's consent", async () => {
    const api = withItems([]);
    api.getConsent.mockResolvedValue({
      subjectId: 'customer-42',
      current: {
        marketing: {
          granted: false,
          at: '2025-03-02T10:00:00.000Z',
          source: 'web-banner',
        },
      },
      history: [
        {
          purpose: 'marketing',
          granted: true,
          at: '2025-03-01T10:00:00.000Z',
          source: 'signup',
          actor: 'user:default/guest',
        },
        {
          purpose: 'marketing',
          granted: false,
          at: '2025-03-02T10:00:00.000Z',
          source: 'web-banner',
          actor: 'user:default/guest',
        },
      ],
    });
    await renderPage(api);

    fireEvent.change(screen.getByLabelText('Subject id'), {
      target: { value: 'customer-42' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Look up' }));

    expect(
      await screen.findByText('Consent of customer-42'),
    ).toBeInTheDocument();
    expect(api.getConsent).toHaveBeenCalledWith('customer-42');
    expect(rowOf('analytics')).toHaveTextContent('no record');
    expect(screen.getByText('History')).toBeInTheDocument();
    expect(screen.getByText('signup').closest('tr')).toHaveTextContent(
      'granted',
    );
  });
});
