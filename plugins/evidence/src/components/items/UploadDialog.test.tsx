import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { COMMON_CRITERIA } from '@internal/plugin-evidence-common';
import {
  makeItem,
  responseError,
  stubEvidenceApi,
} from '../../testing/fixtures';
import { renderWithApi } from '../../__testUtils__/render';
import { UploadDialog } from './UploadDialog';

async function renderDialog(api = stubEvidenceApi()) {
  const onUploaded = jest.fn();
  const { alertApi } = await renderWithApi(
    api,
    <UploadDialog
      open
      criteria={COMMON_CRITERIA}
      onClose={jest.fn()}
      onUploaded={onUploaded}
    />,
  );
  return { api, onUploaded, alertApi };
}

function choosePoints(...points: string[]) {
  fireEvent.mouseDown(screen.getByLabelText(/^Points/));
  const listbox = screen.getByRole('listbox');
  for (const point of points) {
    fireEvent.click(
      within(listbox).getByText(new RegExp(`^${point.replace('.', '\\.')} `)),
    );
  }
  fireEvent.keyDown(listbox, { key: 'Escape' });
}

describe('UploadDialog', () => {
  it('sends the file with its title, points and period', async () => {
    const item = makeItem({
      id: 'u1',
      title: 'Security policy',
      type: 'manual',
    });
    const api = stubEvidenceApi({
      uploadItem: jest
        .fn()
        .mockRejectedValueOnce(responseError(415, 'media type not allowed'))
        .mockResolvedValueOnce(item),
    });
    const { onUploaded, alertApi } = await renderDialog(api);
    await screen.findByText('Upload evidence');

    const file = new File(['%PDF-1.7'], 'policy.pdf', {
      type: 'application/pdf',
    });
    fireEvent.change(screen.getByLabelText('File'), {
      target: { files: [file] },
    });
    expect(screen.getByText('policy.pdf (8 B)')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Title/), {
      target: { value: 'Security policy' },
    });
    choosePoints('CC5.3', 'CC1.1');
    fireEvent.change(screen.getByLabelText('Period start'), {
      target: { value: '2026-01-01' },
    });
    fireEvent.change(screen.getByLabelText('Period end'), {
      target: { value: '2026-12-31' },
    });
    fireEvent.change(screen.getByLabelText('Entity (optional)'), {
      target: { value: 'component:default/api-gateway' },
    });
    fireEvent.click(screen.getByText('Upload').closest('button')!);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'media type not allowed',
    );
    fireEvent.click(screen.getByText('Upload').closest('button')!);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledWith(item));
    expect(api.uploadItem).toHaveBeenLastCalledWith(file, {
      title: 'Security policy',
      // In the catalog's order, whatever the order of the clicks.
      points: ['CC1.1', 'CC5.3'],
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-12-31T23:59:59.999Z',
      entityRef: 'component:default/api-gateway',
    });
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ severity: 'success' }),
    );
  });

  it('names what is missing instead of sending', async () => {
    const { api } = await renderDialog();
    fireEvent.click((await screen.findByText('Upload')).closest('button')!);
    expect(await screen.findByText('Choose a file')).toBeInTheDocument();
    expect(screen.getByText('Required')).toBeInTheDocument();
    expect(screen.getByText('Choose at least one point')).toBeInTheDocument();
    expect(api.uploadItem).not.toHaveBeenCalled();
  });
});
