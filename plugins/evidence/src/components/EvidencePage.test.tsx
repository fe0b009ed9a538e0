import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { TSC_CRITERIA } from '@internal/plugin-evidence-common';
import { screen } from '@testing-library/react';
import { EvidenceApi, evidenceApiRef } from '../api';
import { EvidencePage } from './EvidencePage';

function stubApi(): jest.Mocked<EvidenceApi> {
  return {
    listEvidence: jest
      .fn()
      .mockResolvedValue({ items: [], totalCount: 0, limit: 25, offset: 0 }),
    getCoverage: jest.fn().mockResolvedValue({
      criteria: TSC_CRITERIA.map(c => ({
        id: c.id,
        title: c.title,
        itemCount: c.id === 'CC8' ? 7 : 0,
        lastCollectedAt: c.id === 'CC8' ? '2025-03-01T10:00:00.000Z' : null,
      })),
    }),
  };
}

async function renderPage(api: EvidenceApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[evidenceApiRef, api]]}>
      <EvidencePage />
    </TestApiProvider>,
  );
}

describe('EvidencePage', () => {
  it('shows the honest empty state when no evidence has been collected', async () => {
    const api = stubApi();
    await renderPage(api);

    expect(screen.getByText('SOC 2 evidence')).toBeInTheDocument();
    expect(
      await screen.findByText('No evidence collected yet'),
    ).toBeInTheDocument();
    expect(api.listEvidence).toHaveBeenCalledWith({ limit: 25, offset: 0 });
  });

  it('shows a coverage card for each of CC1..CC9 from getCoverage', async () => {
    const api = stubApi();
    await renderPage(api);

    expect(
      await screen.findByText('CC1 · Control environment'),
    ).toBeInTheDocument();
    for (const c of TSC_CRITERIA) {
      expect(screen.getByText(`${c.id} · ${c.title}`)).toBeInTheDocument();
    }
    expect(screen.getByText('7')).toBeInTheDocument();
    expect(screen.getAllByText('no evidence collected yet')).toHaveLength(8);
    expect(screen.getAllByText(/^evidence items, newest /)).toHaveLength(1);
    expect(api.getCoverage).toHaveBeenCalledTimes(1);
  });

  it('shows an error panel when coverage cannot be loaded', async () => {
    const api = stubApi();
    api.getCoverage.mockRejectedValue(
      new Error('evidence backend unavailable'),
    );
    await renderPage(api);

    expect(
      await screen.findByText(/Could not load coverage/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/evidence backend unavailable/).length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByText('CC1 · Control environment'),
    ).not.toBeInTheDocument();
    // The evidence table still loads on its own.
    expect(
      await screen.findByText('No evidence collected yet'),
    ).toBeInTheDocument();
  });
});
