import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Binder } from '@internal/plugin-evidence-common';
import { pointsOf, COMMON_CRITERIA } from '@internal/plugin-evidence-common';
import {
  deferred,
  makeBinder,
  page,
  stubEvidenceApi,
} from '../../testing/fixtures';
import { renderWithApi } from '../../__testUtils__/render';
import { BindersTab } from './BindersTab';

const ready = (overrides: Partial<Binder> = {}) =>
  makeBinder({
    state: 'ready',
    progress: { files: 10, totalFiles: 10, bytes: 4096, totalBytes: 4096 },
    sha256: 'b'.repeat(64),
    sizeBytes: 5120,
    finishedAt: '2026-12-01T10:01:00.000Z',
    ...overrides,
  });

describe('BindersTab', () => {
  it('posts the form, follows the build with its progress, then offers Download', async () => {
    const done = deferred<Binder>();
    const queued = makeBinder();
    const api = stubEvidenceApi({
      createBinder: jest.fn().mockResolvedValue(queued),
      listBinders: jest
        .fn()
        .mockResolvedValueOnce(page([], 10))
        .mockResolvedValue(page([queued], 10)),
      getBinder: jest
        .fn()
        .mockResolvedValueOnce(
          makeBinder({
            state: 'building',
            progress: {
              files: 3,
              totalFiles: 10,
              bytes: 1024,
              totalBytes: 4096,
            },
          }),
        )
        .mockReturnValueOnce(done.promise),
      downloadBinder: jest.fn().mockResolvedValue(new Blob(['gz'])),
    });
    await renderWithApi(api, <BindersTab />);

    expect(await screen.findByText('No binders yet')).toBeInTheDocument();
    // Points default to every point the backend serves.
    expect(screen.getByText('All 33 points')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Period start'), {
      target: { value: '2026-09-01' },
    });
    fireEvent.change(screen.getByLabelText('Period end'), {
      target: { value: '2026-11-30' },
    });
    fireEvent.click(screen.getByText('Build binder'));

    await waitFor(() =>
      expect(api.createBinder).toHaveBeenCalledWith({
        periodStart: '2026-09-01T00:00:00.000Z',
        periodEnd: '2026-11-30T23:59:59.999Z',
        points: pointsOf(COMMON_CRITERIA).map(p => p.id),
      }),
    );
    expect(
      await screen.findByText('3 of 10 files, 1.0 KiB of 4.0 KiB'),
    ).toBeInTheDocument();
    expect(screen.getByText('building')).toBeInTheDocument();
    expect(screen.queryByText('Download')).not.toBeInTheDocument();
    expect(api.getBinder).toHaveBeenCalledWith(queued.id);

    done.resolve(ready());
    const download = (await screen.findByText('Download')).closest('button')!;
    expect(screen.getByText('ready')).toBeInTheDocument();
    expect(screen.queryByText(/of 10 files/)).not.toBeInTheDocument();
    // Polling stops once the binder is ready.
    expect(api.getBinder).toHaveBeenCalledTimes(2);

    const createObjectURL = jest.fn(() => 'blob:binder');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const save = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function saved(this: HTMLAnchorElement) {
        expect(this.download).toBe('soc2-binder-2026-09-01-2026-11-30.tar.gz');
        expect(this.href).toBe('blob:binder');
      });
    fireEvent.click(download);
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    expect(api.downloadBinder).toHaveBeenCalledWith(queued.id);
    save.mockRestore();
  });

  it('shows what verifying found, naming each changed, missing and extra file', async () => {
    const binder = ready();
    const api = stubEvidenceApi({
      listBinders: jest.fn().mockResolvedValue(page([binder], 10)),
      verifyBinder: jest.fn().mockResolvedValue({
        ok: false,
        signatureValid: true,
        fileCount: 12,
        mismatched: ['evidence/sbom/sbom.spdx.json'],
        missing: ['index.md'],
        extra: ['evil.sh'],
        errors: [],
      }),
    });
    await renderWithApi(api, <BindersTab />);

    fireEvent.click((await screen.findByText('Verify')).closest('button')!);
    const dialog = (await screen.findByText(/^Verification of binder/)).closest(
      '[role="dialog"]',
    ) as HTMLElement;
    expect(
      await within(dialog).findByText(/does not verify \(12 files/),
    ).toBeInTheDocument();
    expect(api.verifyBinder).toHaveBeenCalledWith(binder.id);
    expect(
      within(
        within(dialog).getByRole('list', { name: 'Changed (hash differs)' }),
      ).getByText('evidence/sbom/sbom.spdx.json'),
    ).toBeInTheDocument();
    expect(
      within(
        within(dialog).getByRole('list', { name: 'Missing from the binder' }),
      ).getByText('index.md'),
    ).toBeInTheDocument();
    expect(
      within(
        within(dialog).getByRole('list', {
          name: 'Extra (not in the manifest)',
        }),
      ).getByText('evil.sh'),
    ).toBeInTheDocument();
    expect(
      within(dialog).queryByText(/signature is not valid/),
    ).not.toBeInTheDocument();
  });

  it('says so when a binder verifies', async () => {
    const api = stubEvidenceApi({
      listBinders: jest.fn().mockResolvedValue(page([ready()], 10)),
      verifyBinder: jest.fn().mockResolvedValue({
        ok: true,
        signatureValid: true,
        fileCount: 12,
        mismatched: [],
        missing: [],
        extra: [],
        errors: [],
      }),
    });
    await renderWithApi(api, <BindersTab />);
    fireEvent.click((await screen.findByText('Verify')).closest('button')!);
    expect(
      await screen.findByText(
        'Verified: all 12 files match the manifest and its signature is valid.',
      ),
    ).toBeInTheDocument();
  });

  it('shows the public key with the commands an auditor runs', async () => {
    const api = stubEvidenceApi();
    await renderWithApi(api, <BindersTab />);
    expect(await screen.findByLabelText('Public key')).toHaveTextContent(
      'BEGIN PUBLIC KEY',
    );
    // Highlighted, the commands are split into tokens: read them whole.
    expect(document.body).toHaveTextContent('sha256sum -c SHA256SUMS');
    expect(document.body).toHaveTextContent(
      'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.json.sig',
    );
    // One copy button per command, one for the key.
    expect(screen.getAllByRole('button', { name: 'Copy text' })).toHaveLength(
      3,
    );
  });
});
