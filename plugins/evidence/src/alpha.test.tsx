import { renderTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { evidenceApiRef } from './api';
import evidencePlugin from './alpha';
import { makeCoverage, stubEvidenceApi } from './testing/fixtures';

describe('evidence plugin (new frontend system)', () => {
  it('shows coverage at /evidence', async () => {
    const api = stubEvidenceApi({
      getCoverage: jest
        .fn()
        .mockResolvedValue(
          makeCoverage({ 'CC8.1': { status: 'fresh', itemCount: 4 } }),
        ),
    });
    renderTestApp({
      features: [evidencePlugin],
      apis: [[evidenceApiRef, api]],
      initialRouteEntries: ['/evidence'],
    });
    expect(await screen.findByText('SOC 2 evidence')).toBeInTheDocument();
    expect(
      await screen.findByText(
        '1 of 33 points covered by fresh evidence; 0 under an exception, counted apart.',
      ),
    ).toBeInTheDocument();
  });

  it('shows one item at /evidence/items/:id', async () => {
    const api = stubEvidenceApi();
    renderTestApp({
      features: [evidencePlugin],
      apis: [[evidenceApiRef, api]],
      initialRouteEntries: ['/evidence/items/i1'],
    });
    expect(await screen.findByText('Evidence item i1')).toBeInTheDocument();
    expect(api.getItem).toHaveBeenCalledWith('i1');
  });
});
