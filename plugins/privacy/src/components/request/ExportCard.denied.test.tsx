import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { act, screen, waitFor } from '@testing-library/react';
import { renderWithDecision } from '../../__testUtils__/renderWithDecision';
import { hoursFromNow } from '../../testing/fixtures';
import { ExportCard } from './ExportCard';

const bundle = {
  id: 'export-1',
  sha256: 'ab'.repeat(32),
  sizeBytes: 2048,
  keyId: 'eu-1',
  expiresAt: hoursFromNow(24),
};

// In a file of its own: usePermission caches decisions for the whole file.
describe('ExportCard without privacy.export.download', () => {
  it('asks for the permission on this request and shows no Download button when denied', async () => {
    const { authorize, rendered } = renderWithDecision(
      <ExportCard requestId="dsar-0001" bundle={bundle} completed />,
      AuthorizeResult.DENY,
    );
    await rendered;
    await waitFor(() => expect(authorize).toHaveBeenCalled());
    await act(async () => {}); // the decision is applied
    expect(authorize).toHaveBeenCalledWith(
      expect.objectContaining({
        permission: expect.objectContaining({
          name: 'privacy.export.download',
        }),
        resourceRef: 'dsar-0001',
      }),
    );
    expect(screen.getByText('eu-1')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Download' }),
    ).not.toBeInTheDocument();
  });
});
