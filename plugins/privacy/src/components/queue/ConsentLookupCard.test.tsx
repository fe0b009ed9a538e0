import { alertApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import type { ConsentState } from '@internal/plugin-privacy-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { PrivacyApi, privacyApiRef } from '../../api';
import {
  responseError,
  stubAlertApi,
  stubPrivacyApi,
} from '../../testing/fixtures';
import { ConsentLookupCard } from './ConsentLookupCard';

const before: ConsentState = {
  subjectId: 'customer-42',
  current: {},
  history: [],
};

const after: ConsentState = {
  subjectId: 'customer-42',
  current: {
    marketing: {
      granted: false,
      at: '2025-03-02T10:00:00.000Z',
      source: 'phone-call',
    },
  },
  history: [
    {
      purpose: 'marketing',
      granted: false,
      at: '2025-03-02T10:00:00.000Z',
      source: 'phone-call',
      actor: 'user:default/guest',
    },
  ],
};

async function renderCard(api: PrivacyApi) {
  const alertApi = stubAlertApi();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [privacyApiRef, api],
        [permissionApiRef, mockApis.permission()],
        [alertApiRef, alertApi],
      ]}
    >
      <ConsentLookupCard />
    </TestApiProvider>,
  );
  return { alertApi };
}

async function lookUp(subjectId: string) {
  fireEvent.change(screen.getByLabelText('Subject id'), {
    target: { value: subjectId },
  });
  fireEvent.click(screen.getByRole('button', { name: 'Look up' }));
  await screen.findByText(`Consent of ${subjectId}`);
}

async function openDialog() {
  fireEvent.click(
    await screen.findByRole('button', { name: 'Record consent' }),
  );
  return screen.findByRole('dialog');
}

describe('ConsentLookupCard: record consent', () => {
  it('records a change for the subject looked up, then shows its new state', async () => {
    const api = stubPrivacyApi({
      getConsent: jest
        .fn()
        .mockResolvedValueOnce(before)
        .mockResolvedValueOnce(after),
      changeConsent: jest.fn().mockResolvedValue(after),
    });
    const { alertApi } = await renderCard(api);
    await lookUp('customer-42');
    expect(
      screen.getByText('No consent change recorded for this subject.'),
    ).toBeInTheDocument();

    const dialog = await openDialog();
    expect(within(dialog).getByLabelText(/Subject id/)).toHaveValue(
      'customer-42',
    );
    expect(within(dialog).getByLabelText(/Source/)).toHaveValue(
      'privacy-portal',
    );
    expect(within(dialog).getByLabelText('Granted')).toBeChecked();

    fireEvent.change(within(dialog).getByLabelText('Purpose'), {
      target: { value: 'marketing' },
    });
    fireEvent.click(within(dialog).getByLabelText('Withdrawn'));
    fireEvent.change(within(dialog).getByLabelText(/Source/), {
      target: { value: ' phone-call ' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Record' }));

    await waitFor(() => expect(api.changeConsent).toHaveBeenCalledTimes(1));
    expect(api.changeConsent).toHaveBeenCalledWith({
      subject: { id: 'customer-42' },
      purpose: 'marketing',
      granted: false,
      source: 'phone-call',
    });
    // The dialog fades out; leave room for a slow machine.
    await waitFor(
      () => expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
      { timeout: 3000 },
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        message: 'Consent to marketing withdrawn for customer-42',
        severity: 'success',
      }),
    );
    expect(api.getConsent).toHaveBeenCalledTimes(2);
    expect(api.getConsent).toHaveBeenLastCalledWith('customer-42');
    expect(await screen.findAllByText('phone-call')).toHaveLength(2);
    expect(screen.getAllByText('marketing')[0].closest('tr')).toHaveTextContent(
      'withdrawn',
    );
  });

  it('shows field errors and sends nothing when the form is incomplete', async () => {
    const api = stubPrivacyApi();
    await renderCard(api);

    const dialog = await openDialog();
    expect(within(dialog).getByLabelText(/Subject id/)).toHaveValue('');
    fireEvent.change(within(dialog).getByLabelText(/Source/), {
      target: { value: '  ' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Record' }));

    expect(within(dialog).getByLabelText(/Subject id/)).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(within(dialog).getAllByText('Required')).toHaveLength(2);
    expect(
      within(dialog).getByText(
        'Choose one of marketing, analytics, personalization, third_party_sharing',
      ),
    ).toBeInTheDocument();
    expect(api.changeConsent).not.toHaveBeenCalled();

    // Fixing a field clears its error.
    fireEvent.change(within(dialog).getByLabelText(/Source/), {
      target: { value: 'web-banner' },
    });
    expect(within(dialog).getAllByText('Required')).toHaveLength(1);
  });

  it('shows the server error in the dialog and keeps it open', async () => {
    const api = stubPrivacyApi({
      changeConsent: jest
        .fn()
        .mockRejectedValue(
          responseError(400, 'source: must not contain control characters'),
        ),
    });
    const { alertApi } = await renderCard(api);

    const dialog = await openDialog();
    fireEvent.change(within(dialog).getByLabelText(/Subject id/), {
      target: { value: 'customer-7' },
    });
    fireEvent.change(within(dialog).getByLabelText('Purpose'), {
      target: { value: 'analytics' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Record' }));

    expect(
      await within(dialog).findByText(
        'source: must not contain control characters',
      ),
    ).toBeInTheDocument();
    expect(api.changeConsent).toHaveBeenCalledWith({
      subject: { id: 'customer-7' },
      purpose: 'analytics',
      granted: true,
      source: 'privacy-portal',
    });
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(alertApi.post).not.toHaveBeenCalled();
    expect(api.getConsent).not.toHaveBeenCalled();
  });

  it('disables the submit button while recording', async () => {
    const api = stubPrivacyApi({
      changeConsent: jest.fn().mockReturnValue(new Promise(() => {})),
    });
    await renderCard(api);

    const dialog = await openDialog();
    fireEvent.change(within(dialog).getByLabelText(/Subject id/), {
      target: { value: 'customer-7' },
    });
    fireEvent.change(within(dialog).getByLabelText('Purpose'), {
      target: { value: 'analytics' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Record' }));

    expect(
      await within(dialog).findByRole('button', { name: 'Recording…' }),
    ).toBeDisabled();
  });
});
