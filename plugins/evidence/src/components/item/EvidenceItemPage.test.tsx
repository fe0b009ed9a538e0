import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  makeItem,
  makeItemDetail,
  responseError,
  stubEvidenceApi,
} from '../../testing/fixtures';
import { renderEvidence } from '../../__testUtils__/render';

const ID = '6f1c1c66-0000-4000-8000-000000000001';

describe('EvidenceItemPage', () => {
  it('shows the item, its hash and chain place, and its summary facts', async () => {
    const api = stubEvidenceApi();
    await renderEvidence(api, `/evidence/items/${ID}`);

    expect(
      await screen.findByText('SBOM of the workspace'),
    ).toBeInTheDocument();
    expect(api.getItem).toHaveBeenCalledWith(ID);
    expect(screen.getByText('a'.repeat(64))).toBeInTheDocument();
    expect(screen.getByText('c'.repeat(64))).toBeInTheDocument();
    expect(screen.getByText('42')).toBeInTheDocument();
    expect(screen.getByText('CC6.8, CC7.1')).toBeInTheDocument();
    const facts = screen.getByRole('table', { name: 'Summary facts' });
    expect(within(facts).getByText('packages').closest('tr')).toHaveTextContent(
      '1200',
    );
    expect(
      within(facts).getByText('withLicense').closest('tr'),
    ).toHaveTextContent('1180');
    expect(
      await screen.findByText(
        `http://backend.test/api/evidence/items/${ID}/content`,
      ),
    ).toBeInTheDocument();
  });

  it('verifies on request and shows what failed', async () => {
    const api = stubEvidenceApi({
      verifyItem: jest.fn().mockResolvedValue({
        ok: false,
        sha256: { expected: 'a'.repeat(64), actual: 'f'.repeat(64) },
        chain: { ok: true },
        problems: [],
      }),
    });
    await renderEvidence(api, `/evidence/items/${ID}`);
    fireEvent.click((await screen.findByText('Verify')).closest('button')!);
    expect(await screen.findByText('Verification failed.')).toBeInTheDocument();
    expect(
      screen.getByText(
        `SHA-256 expected ${'a'.repeat(64)}, stored file hashes to ${'f'.repeat(
          64,
        )}.`,
      ),
    ).toBeInTheDocument();
    expect(api.verifyItem).toHaveBeenCalledWith(ID);
  });

  it('places a legal hold with a reason', async () => {
    const api = stubEvidenceApi({
      setLegalHold: jest
        .fn()
        .mockRejectedValueOnce(responseError(403, 'evidence.item.hold denied'))
        .mockResolvedValueOnce(makeItem({ legalHold: true })),
    });
    await renderEvidence(api, `/evidence/items/${ID}`);
    fireEvent.click(
      (await screen.findByText('Place legal hold')).closest('button')!,
    );

    const dialog = (
      await screen.findByText(/kept past its retention date/)
    ).closest('[role="dialog"]') as HTMLElement;
    const confirm = within(dialog)
      .getAllByText('Place legal hold')[1]
      .closest('button')!;
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/^Reason/), {
      target: { value: 'Litigation hold LH-7' },
    });
    fireEvent.click(confirm);
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Not permitted: evidence.item.hold denied',
    );
    fireEvent.click(confirm);
    expect(await screen.findByText('Under legal hold')).toBeInTheDocument();
    expect(api.setLegalHold).toHaveBeenLastCalledWith(ID, {
      hold: true,
      reason: 'Litigation hold LH-7',
    });
    await waitFor(() =>
      expect(screen.getByText('Release legal hold')).toBeInTheDocument(),
    );
  });

  it('shows the backend error for an unknown item', async () => {
    const api = stubEvidenceApi({
      getItem: jest
        .fn()
        .mockRejectedValue(responseError(404, 'No evidence item x')),
    });
    await renderEvidence(api, `/evidence/items/${ID}`);
    expect(
      await screen.findByText(`Could not load evidence item ${ID}`, {
        exact: false,
      }),
    ).toBeInTheDocument();
  });

  it('shows an item not in the chain as such', async () => {
    const api = stubEvidenceApi({
      getItem: jest
        .fn()
        .mockResolvedValue(makeItemDetail({ chain: null, summary: {} })),
    });
    await renderEvidence(api, `/evidence/items/${ID}`);
    expect(await screen.findByText('not in the chain')).toBeInTheDocument();
    expect(screen.getByText(/No summary facts/)).toBeInTheDocument();
  });
});
