import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { renderWithApi } from '../../__testUtils__/render';
import { makeCollector, makeCoverage, stubEvidenceApi } from '../../testing/fixtures';
import { CoverageTab } from './CoverageTab';

// Its own file: usePermission caches decisions for the whole test file.
describe('CoverageTab without the permission to run collectors', () => {
  it('disables "Collect now"', async () => {
    const api = stubEvidenceApi({
      getCoverage: jest.fn().mockResolvedValue(
        makeCoverage({ 'CC6.8': { status: 'stale', itemCount: 1, collectors: ['sbom'] } }),
      ),
      listCollectors: jest.fn().mockResolvedValue([makeCollector()]),
    });
    await renderWithApi(api, <CoverageTab />, {
      permissionApi: mockApis.permission({ authorize: AuthorizeResult.DENY }),
    });
    fireEvent.click(await screen.findByLabelText(/^CC6 Logical and physical access/));
    const row = await screen.findByTestId('point-CC6.8');
    expect(within(row).getByRole('button', { name: 'Collect now: SBOM' })).toBeDisabled();
    expect(api.runCollector).not.toHaveBeenCalled();
  });
});
