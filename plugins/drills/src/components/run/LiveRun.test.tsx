import { act, fireEvent, screen, within } from '@testing-library/react';
import {
  ALICE,
  BOB,
  RUN_ID,
  STARTED_AT,
  fakeRunApi,
  fakeSignals,
  makeRun,
  makeStep,
  renderRunPage,
} from '../__testUtils__/fakeApi';

// These tests move the clock: the timer, the polling and the heartbeat run on it.
describe('RunPage on the clock', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(STARTED_AT) + 754_000 }); // 0:12:34 in
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('ticks the elapsed time and counts down to each checkpoint target', async () => {
    await renderRunPage({ api: fakeRunApi() });

    const timer = await screen.findByRole('timer', { name: 'Elapsed' });
    expect(timer).toHaveTextContent('0:12:34');
    await act(async () => {
      jest.advanceTimersByTime(2000);
    });
    expect(timer).toHaveTextContent('0:12:36');
    // Database restored: a 60 min target, 12:36 in.
    expect(screen.getByText(/0:47:24 left/)).toBeInTheDocument();
  });

  it('says by how much an unreached checkpoint is overdue', async () => {
    const run = makeRun();
    run.checkpoints[1] = { ...run.checkpoints[1], targetMinutes: 10 };
    await renderRunPage({ api: fakeRunApi(run) });
    expect(await screen.findByText(/overdue by 0:02:34/)).toBeInTheDocument();
  });

  it('reads the run every 3 s when signals are off', async () => {
    const api = fakeRunApi();
    await renderRunPage({ api });
    expect(
      await screen.findByRole('checkbox', { name: 'Page the database owner' }),
    ).not.toBeChecked();
    expect(api.getRun).toHaveBeenCalledTimes(1);

    const checkedByBob = makeRun();
    checkedByBob.phases[1].steps[0] = makeStep(
      'respond',
      1,
      'Page the database owner',
      { checked: true, version: 1, updatedBy: BOB, updatedAt: STARTED_AT },
    );
    api.getRun.mockResolvedValue(checkedByBob);
    await act(async () => {
      jest.advanceTimersByTime(3000);
    });

    expect(api.getRun).toHaveBeenCalledTimes(2);
    expect(
      screen.getByRole('checkbox', { name: 'Page the database owner' }),
    ).toBeChecked();
  });

  it('stops polling once an aborted run can change no more', async () => {
    const api = fakeRunApi(
      makeRun({
        state: 'aborted',
        abortedAt: STARTED_AT,
        abortReason: 'Called off for a real incident',
        endedBy: ALICE,
      }),
    );
    await renderRunPage({ api });
    await screen.findByLabelText('State: aborted');
    await act(async () => {
      jest.advanceTimersByTime(9000);
    });
    expect(api.getRun).toHaveBeenCalledTimes(1);
  });

  it('says it is looking every 10 s and shows who else is', async () => {
    const api = fakeRunApi();
    await renderRunPage({ api });
    await screen.findByText('Nobody else has this run open.');
    expect(api.heartbeat).toHaveBeenCalledTimes(1);

    api.heartbeat.mockResolvedValue({
      viewers: [
        { entityRef: ALICE, seenAt: STARTED_AT },
        { entityRef: BOB, seenAt: STARTED_AT },
      ],
    });
    await act(async () => {
      jest.advanceTimersByTime(10_000);
    });
    expect(api.heartbeat).toHaveBeenCalledTimes(2);
    const looking = screen.getByLabelText('Looking now');
    expect(within(looking).getByText('alice (you)')).toBeInTheDocument();
    expect(within(looking).getByText('bob')).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Participants' })).getByText(
        'coordinator · looking now',
      ),
    ).toBeInTheDocument();
  });

  it('tells the server at once when the page goes away', async () => {
    const api = fakeRunApi();
    const { unmount } = await renderRunPage({ api });
    await screen.findByText('Nobody else has this run open.');
    expect(api.leave).not.toHaveBeenCalled();

    unmount();
    expect(api.leave).toHaveBeenCalledTimes(1);
    expect(api.leave).toHaveBeenCalledWith(RUN_ID);
    // Gone means gone: no heartbeat after it.
    await act(async () => {
      jest.advanceTimersByTime(30_000);
    });
    expect(api.heartbeat).toHaveBeenCalledTimes(1);
  });

  describe('when the tab is hidden or closed', () => {
    let state: DocumentVisibilityState = 'visible';
    const show = async (next: DocumentVisibilityState) => {
      state = next;
      await act(async () => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
    };
    beforeEach(() => {
      state = 'visible';
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => state,
      });
    });
    afterEach(() => {
      // The prototype's own getter again.
      delete (document as { visibilityState?: unknown }).visibilityState;
    });

    it('leaves while hidden, and arrives again when shown', async () => {
      const api = fakeRunApi();
      const { unmount } = await renderRunPage({ api });
      await screen.findByText('Nobody else has this run open.');

      await show('hidden');
      expect(api.leave).toHaveBeenCalledTimes(1);
      await act(async () => {
        jest.advanceTimersByTime(30_000);
      });
      expect(api.heartbeat).toHaveBeenCalledTimes(1);

      await show('visible');
      expect(api.heartbeat).toHaveBeenCalledTimes(2);
      await act(async () => {
        jest.advanceTimersByTime(10_000);
      });
      expect(api.heartbeat).toHaveBeenCalledTimes(3);

      // Closing the tab: hidden, then pagehide; the server hears it once.
      await show('hidden');
      await act(async () => {
        window.dispatchEvent(new Event('pagehide'));
      });
      unmount();
      expect(api.leave).toHaveBeenCalledTimes(2);
    });

    it('leaves on pagehide alone', async () => {
      const api = fakeRunApi();
      await renderRunPage({ api });
      await screen.findByText('Nobody else has this run open.');
      await act(async () => {
        window.dispatchEvent(new Event('pagehide'));
      });
      expect(api.leave).toHaveBeenCalledWith(RUN_ID);
    });
  });
});

// With a signals API the page does not poll: a read of the fake's fixed run
// 3 s in must not take away what a test just added.
const quiet = () => fakeSignals().api;

describe('RunPage step details', () => {
  it('folds notes and files away with their counts, and adds a note', async () => {
    const run = makeRun({
      notes: [
        {
          id: 'n1',
          runId: RUN_ID,
          stepId: 'detect-1',
          author: BOB,
          text: 'Replica lag alarm fired first',
          createdAt: STARTED_AT,
        },
      ],
      attachments: [
        {
          id: 'a1',
          runId: RUN_ID,
          stepId: 'detect-1',
          blobKey: 'k',
          fileName: 'grafana.png',
          mediaType: 'image/png',
          sizeBytes: 2048,
          sha256: 'abc',
          uploadedBy: BOB,
          createdAt: STARTED_AT,
        },
      ],
    });
    const api = fakeRunApi(run);
    api.addNote.mockImplementation(async (runId, stepId, text) => ({
      id: 'n2',
      runId,
      stepId,
      author: ALICE,
      text,
      createdAt: STARTED_AT,
    }));
    await renderRunPage({ api, signals: quiet() });

    const toggle = await screen.findByRole('button', {
      name: '1 note · 1 file for: Confirm the primary is down',
    });
    expect(
      screen.queryByText('Replica lag alarm fired first'),
    ).not.toBeInTheDocument();
    fireEvent.click(toggle);
    expect(
      screen.getByText('Replica lag alarm fired first'),
    ).toBeInTheDocument();
    expect(screen.getByText('grafana.png')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Download grafana.png' }),
    ).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText('Add a note'), {
      target: { value: 'Restored from the 09:00 snapshot' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    expect(
      await screen.findByText('Restored from the 09:00 snapshot'),
    ).toBeInTheDocument();
    expect(api.addNote).toHaveBeenCalledWith(
      RUN_ID,
      'detect-1',
      'Restored from the 09:00 snapshot',
    );
    expect(
      screen.getByRole('button', {
        name: '2 notes · 1 file for: Confirm the primary is down',
      }),
    ).toBeInTheDocument();
  });

  it('uploads a file to a step', async () => {
    const api = fakeRunApi();
    api.addAttachment.mockImplementation(async (runId, stepId, file) => ({
      id: 'a2',
      runId,
      stepId,
      blobKey: 'k2',
      fileName: file.name,
      mediaType: file.type,
      sizeBytes: file.size,
      sha256: 'def',
      uploadedBy: ALICE,
      createdAt: STARTED_AT,
    }));
    await renderRunPage({ api, signals: quiet() });

    fireEvent.click(
      await screen.findByRole('button', {
        name: '0 notes · 0 files for: Page the database owner',
      }),
    );
    const file = new File(['paged at 10:04'], 'pager.txt', {
      type: 'text/plain',
    });
    fireEvent.change(screen.getByLabelText('Attach a file'), {
      target: { files: [file] },
    });
    expect(await screen.findByText('pager.txt')).toBeInTheDocument();
    expect(api.addAttachment).toHaveBeenCalledWith(RUN_ID, 'respond-1', file);
  });
});

describe('RunPage people and follow-ups', () => {
  it('lets a participant add an action item', async () => {
    const api = fakeRunApi();
    api.addActionItem.mockImplementation(async (runId, item) => ({
      id: 'ai1',
      runId,
      title: item.title,
      owner: item.owner,
      dueDate: item.dueDate ?? null,
      createdBy: BOB,
      createdAt: STARTED_AT,
    }));
    await renderRunPage({ api, signals: quiet(), user: BOB });

    expect(await screen.findByText('No action items yet.')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Add an action item' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Owner')).toHaveValue(BOB);
    fireEvent.change(within(dialog).getByLabelText('Title'), {
      target: { value: 'Automate the snapshot restore' },
    });
    fireEvent.change(within(dialog).getByLabelText('Due'), {
      target: { value: '2026-12-15' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add' }));

    expect(
      await screen.findByText('Automate the snapshot restore'),
    ).toBeInTheDocument();
    expect(screen.getByText('bob · due 2026-12-15')).toBeInTheDocument();
    expect(api.addActionItem).toHaveBeenCalledWith(RUN_ID, {
      title: 'Automate the snapshot restore',
      owner: BOB,
      dueDate: '2026-12-15',
    });
  });

  it('lets the lead add a participant with a role', async () => {
    const api = fakeRunApi();
    api.addParticipant.mockImplementation(async (_runId, participant) => ({
      ...participant,
      addedAt: STARTED_AT,
    }));
    await renderRunPage({ api, signals: quiet() });

    fireEvent.click(
      await screen.findByRole('button', { name: 'Add a participant' }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Entity ref'), {
      target: { value: 'user:default/carol' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add' }));

    expect(await screen.findByText('carol')).toBeInTheDocument();
    expect(api.addParticipant).toHaveBeenCalledWith(RUN_ID, {
      entityRef: 'user:default/carol',
      role: 'coordinator',
    });
  });

  it('lets an observer check steps and add items, but not people', async () => {
    const run = makeRun();
    run.participants.push({
      entityRef: 'user:default/dave',
      role: 'observer',
      addedAt: STARTED_AT,
    });
    await renderRunPage({
      api: fakeRunApi(run),
      user: 'user:default/dave',
      signals: quiet(),
    });
    expect(await screen.findByText('dave (you)')).toBeInTheDocument();
    // An observer takes part: steps yes, new participants no.
    expect(
      screen.getByRole('checkbox', { name: 'Page the database owner' }),
    ).toBeEnabled();
    expect(
      screen.queryByRole('button', { name: 'Add a participant' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Add an action item' }),
    ).toBeInTheDocument();
  });
});
