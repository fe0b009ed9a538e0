import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type { DsarRequest } from '@internal/plugin-privacy-common';
import { screen } from '@testing-library/react';
import { PrivacyApi, privacyApiRef } from '../api';
import { PrivacyPage } from './PrivacyPage';

function stubApi(items: DsarRequest[]): jest.Mocked<PrivacyApi> {
  return {
    listRequests: jest.fn().mockResolvedValue({
      items,
      totalCount: items.length,
      limit: 25,
      offset: 0,
    }),
  };
}

async function renderPage(api: PrivacyApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[privacyApiRef, api]]}>
      <PrivacyPage />
    </TestApiProvider>,
  );
}

describe('PrivacyPage', () => {
  it('shows the honest empty state when there are no requests', async () => {
    const api = stubApi([]);
    await renderPage(api);

    expect(screen.getByText('Privacy requests')).toBeInTheDocument();
    expect(
      await screen.findByText('No privacy requests yet'),
    ).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(screen.getByText('0-0 of 0')).toBeInTheDocument();
  });

  it('lists a request the API returns', async () => {
    const api = stubApi([
      {
        id: 'dsar-0001',
        type: 'delete',
        state: 'awaiting_approval',
        subjectId: 'customer-42',
        region: 'EU',
        jurisdiction: 'GDPR',
        priority: 10,
        requester: 'user:default/guest',
        createdAt: '2025-03-01T10:00:00.000Z',
        updatedAt: '2025-03-01T10:00:00.000Z',
        slaDueAt: '2025-03-04T10:00:00.000Z',
        legalDueAt: '2025-04-01T10:00:00.000Z',
      },
    ]);
    await renderPage(api);

    expect(await screen.findByText('dsar-0001')).toBeInTheDocument();
    const row = screen.getByText('dsar-0001').closest('tr')!;
    expect(row).toHaveTextContent('delete');
    expect(row).toHaveTextContent('awaiting_approval');
    expect(row).toHaveTextContent('EU');
    expect(screen.getByText('1-1 of 1')).toBeInTheDocument();
    expect(
      screen.queryByText('No privacy requests yet'),
    ).not.toBeInTheDocument();
  });
});
