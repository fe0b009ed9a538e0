import { drillRunChannel } from '@internal/plugin-drills-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import type { SetStepResult } from '../../api';
import {
  ALICE,
  BOB,
  CAROL,
  RUN_ID,
  fakeRunApi,
  fakeSignals,
  makeRun,
  makeStep,
  renderRunPage,
  responseError,
} from '../__testUtils__/fakeApi';

/** A promise the test settles when it wants to. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

const stepBox = (text: string) => screen.getByRole('checkbox', { name: text });

describe('RunPage', () => {
  it('shows a running run: its checklist by phase, progress, checkpoints and who is looking', async () => {
    const api = fakeRunApi(makeRun(), [
      { entityRef: ALICE, seenAt: '2026-12-01T10:10:00.000Z' },
      { entityRef: BOB, seenAt: '2026-12-01T10:10:00.000Z' },
    ]);
    await renderRunPage({ api });

    expect(
      await screen.findByText('Database failure and restore'),
    ).toBeInTheDocument();
    expect(api.getRun).toHaveBeenCalledWith(RUN_ID);
    expect(screen.getByLabelText('State: running')).toBeInTheDocument();
    expect(
      screen.getByText(/December 2026 drill · led by alice/),
    ).toBeInTheDocument();

    const detect = screen.getByRole('region', { name: 'Detect' });
    expect(
      within(detect).getByRole('checkbox', {
        name: 'Confirm the primary is down',
      }),
    ).toBeChecked();
    expect(within(detect).getByText(/checked by bob at/)).toBeInTheDocument();
    expect(
      within(screen.getByRole('region', { name: 'Respond' })).getByRole(
        'checkbox',
        { name: 'Page the database owner' },
      ),
    ).not.toBeChecked();
    expect(
      within(screen.getByRole('region', { name: 'Recover' })).getByText(
        'Restore the latest snapshot',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Progress')).toHaveTextContent(
      '1 of 3 steps checked',
    );

    expect(screen.getByLabelText('Failure detected: pass')).toHaveTextContent(
      'PASS',
    );
    expect(screen.getByText(/reached at 3 min by bob/)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Reached: Database restored' }),
    ).toBeEnabled();

    expect(api.heartbeat).toHaveBeenCalledWith(RUN_ID);
    const looking = await screen.findByLabelText('Looking now');
    expect(within(looking).getByText('alice (you)')).toBeInTheDocument();
    expect(within(looking).getByText('bob')).toBeInTheDocument();
  });

  it("renders a step's markdown, and names its checkbox by the text shown", async () => {
    const text =
      'Wait until `kubectl rollout status` reports **success** <script>alert(1)</script>';
    const run = makeRun();
    run.phases[1].steps[0] = makeStep('respond', 1, text);
    await renderRunPage({ api: fakeRunApi(run) });

    const shown =
      'Wait until kubectl rollout status reports success <script>alert(1)</script>';
    const box = await screen.findByRole('checkbox', { name: shown });
    const row = box.closest('[data-step-id]') as HTMLElement;
    expect(row.querySelector('code')).toHaveTextContent(
      'kubectl rollout status',
    );
    expect(row.querySelector('strong')).toHaveTextContent('success');
    expect(row.querySelector('script')).toBeNull();
    expect(
      screen.getByRole('button', { name: `0 notes · 0 files for: ${shown}` }),
    ).toBeInTheDocument();
  });

  it('shows a check at once and saves it against the step version', async () => {
    const api = fakeRunApi();
    const answer = deferred<SetStepResult>();
    api.setStep.mockReturnValue(answer.promise);
    await renderRunPage({ api });

    fireEvent.click(
      await screen.findByRole('checkbox', { name: 'Page the database owner' }),
    );

    expect(api.setStep).toHaveBeenCalledWith(RUN_ID, 'respond-1', {
      checked: true,
      expectedVersion: 0,
    });
    expect(stepBox('Page the database owner')).toBeChecked();
    expect(screen.getByLabelText('Progress')).toHaveTextContent('2 of 3');

    await act(async () =>
      answer.resolve({
        ok: true,
        step: makeStep('respond', 1, 'Page the database owner', {
          checked: true,
          version: 1,
          updatedBy: ALICE,
          updatedAt: '2026-12-01T10:05:00.000Z',
        }),
      }),
    );
    expect(stepBox('Page the database owner')).toBeChecked();
    expect(screen.getByText(/checked by alice at/)).toBeInTheDocument();
  });

  it('puts the other person’s change in place when they were first, and says so', async () => {
    const api = fakeRunApi();
    const theirs = makeStep('detect', 1, 'Confirm the primary is down', {
      checked: true,
      version: 2,
      updatedBy: BOB,
      updatedAt: '2026-12-01T10:04:00.000Z',
    });
    api.setStep.mockResolvedValue({
      ok: false,
      current: theirs,
      message: 'Step detect-1 is at version 2, not 1',
    });
    const { alertApi } = await renderRunPage({ api });

    // Alice unchecks a step bob has since checked again.
    fireEvent.click(
      await screen.findByRole('checkbox', {
        name: 'Confirm the primary is down',
      }),
    );
    expect(api.setStep).toHaveBeenCalledWith(RUN_ID, 'detect-1', {
      checked: false,
      expectedVersion: 1,
    });

    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith(
        expect.objectContaining({
          message: 'bob changed this step first',
          severity: 'warning',
        }),
      ),
    );
    expect(stepBox('Confirm the primary is down')).toBeChecked();
    expect(screen.getByLabelText('Progress')).toHaveTextContent('1 of 3');
  });

  it('keeps the newer version when a read that left earlier comes back later', async () => {
    const signals = fakeSignals();
    const api = fakeRunApi();
    const saved = deferred<SetStepResult>();
    api.setStep.mockReturnValue(saved.promise);
    await renderRunPage({ api, signals: signals.api });

    fireEvent.click(
      await screen.findByRole('checkbox', { name: 'Page the database owner' }),
    );
    // A signal arrives while the save is under way; the read still has version 0.
    await act(async () =>
      signals.send(drillRunChannel(RUN_ID), { change: 'presence' }),
    );
    await waitFor(() => expect(api.getRun).toHaveBeenCalledTimes(2));
    expect(stepBox('Page the database owner')).toBeChecked();

    await act(async () =>
      saved.resolve({
        ok: true,
        step: makeStep('respond', 1, 'Page the database owner', {
          checked: true,
          version: 1,
          updatedBy: ALICE,
          updatedAt: '2026-12-01T10:05:00.000Z',
        }),
      }),
    );
    // Another read with the old version must not uncheck it.
    await act(async () =>
      signals.send(drillRunChannel(RUN_ID), { change: 'note' }),
    );
    await waitFor(() => expect(api.getRun).toHaveBeenCalledTimes(3));
    expect(stepBox('Page the database owner')).toBeChecked();
  });

  it('lets someone who does not take part watch, with nothing to click', async () => {
    const api = fakeRunApi();
    await renderRunPage({ api, user: CAROL });

    expect(
      await screen.findByText(/only the run's participants check steps/),
    ).toBeInTheDocument();
    for (const box of screen.getAllByRole('checkbox'))
      expect(box).toBeDisabled();
    expect(
      screen.queryByRole('button', { name: /^Reached/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Finish' }),
    ).not.toBeInTheDocument();
    fireEvent.click(stepBox('Page the database owner'));
    expect(api.setStep).not.toHaveBeenCalled();
  });

  it('disables the checklist of a run that is no longer running', async () => {
    const api = fakeRunApi(
      makeRun({
        state: 'aborted',
        abortedAt: '2026-12-01T10:20:00.000Z',
        abortReason: 'The staging cluster went down for real',
        endedBy: ALICE,
      }),
    );
    await renderRunPage({ api });

    expect(
      await screen.findByText(
        /Aborted by alice: The staging cluster went down for real/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('State: aborted')).toBeInTheDocument();
    for (const box of screen.getAllByRole('checkbox'))
      expect(box).toBeDisabled();
    expect(screen.getByRole('timer', { name: 'Duration' })).toHaveTextContent(
      '0:20:00',
    );
    expect(
      screen.queryByRole('button', { name: 'Abort' }),
    ).not.toBeInTheDocument();
  });

  it('marks a checkpoint reached', async () => {
    const api = fakeRunApi();
    api.reachCheckpoint.mockResolvedValue({
      ...makeRun().checkpoints[1],
      reachedAt: '2026-12-01T11:10:00.000Z',
      reachedBy: ALICE,
      elapsedMinutes: 70,
      passed: false,
    });
    await renderRunPage({ api });

    fireEvent.click(
      await screen.findByRole('button', { name: 'Reached: Database restored' }),
    );
    expect(api.reachCheckpoint).toHaveBeenCalledWith(RUN_ID, 'restored');
    expect(
      await screen.findByLabelText('Database restored: fail'),
    ).toHaveTextContent('FAIL');
    expect(screen.getByText(/reached at 70 min by alice/)).toBeInTheDocument();
  });

  it('gives the lead Finish and Abort, and an abort needs a reason', async () => {
    const api = fakeRunApi();
    api.abortRun.mockImplementation(async (_id, reason) => {
      const aborted = makeRun({
        state: 'aborted',
        abortedAt: '2026-12-01T10:30:00.000Z',
        abortReason: reason,
        endedBy: ALICE,
      });
      api.getRun.mockResolvedValue(aborted);
      return aborted;
    });
    await renderRunPage({ api });

    expect(
      await screen.findByRole('button', { name: 'Finish' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Abort' }));

    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Abort drill' });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Reason'), {
      target: { value: 'too short' },
    });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Reason'), {
      target: { value: 'Production incident needs the team' },
    });
    expect(confirm).toBeEnabled();
    fireEvent.click(confirm);

    expect(api.abortRun).toHaveBeenCalledWith(
      RUN_ID,
      'Production incident needs the team',
    );
    expect(
      await screen.findByText(
        /Aborted by alice: Production incident needs the team/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Finish' }),
    ).not.toBeInTheDocument();
  });

  it('asks the lead to confirm before finishing', async () => {
    const api = fakeRunApi();
    const finishedRun = makeRun({
      state: 'finished',
      finishedAt: '2026-12-01T11:00:00.000Z',
      endedBy: ALICE,
      hasReport: true,
      evidence: {
        state: 'pending',
        itemId: null,
        attempts: 0,
        lastError: null,
      },
    });
    api.finishRun.mockImplementation(async () => {
      api.getRun.mockResolvedValue(finishedRun);
      return finishedRun;
    });
    await renderRunPage({ api });

    fireEvent.click(await screen.findByRole('button', { name: 'Finish' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('2 of 3 steps are still open');
    expect(api.finishRun).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Finish' }));

    expect(api.finishRun).toHaveBeenCalledWith(RUN_ID);
    expect(await screen.findByLabelText('State: finished')).toBeInTheDocument();
    expect(screen.getByText('Read the drill report')).toBeInTheDocument();
  });

  it('shows Finish and Abort to nobody but the lead', async () => {
    await renderRunPage({ api: fakeRunApi(), user: BOB });
    expect(
      await screen.findByRole('checkbox', { name: 'Page the database owner' }),
    ).toBeEnabled();
    expect(
      screen.queryByRole('button', { name: 'Finish' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Abort' }),
    ).not.toBeInTheDocument();
  });

  it('reads the run again when its signal channel says it changed', async () => {
    const signals = fakeSignals();
    const api = fakeRunApi();
    await renderRunPage({ api, signals: signals.api });
    expect(
      await screen.findByRole('checkbox', { name: 'Page the database owner' }),
    ).not.toBeChecked();
    expect(signals.listeners.get(drillRunChannel(RUN_ID))?.size).toBe(1);

    const checkedByBob = makeRun();
    checkedByBob.phases[1].steps[0] = makeStep(
      'respond',
      1,
      'Page the database owner',
      {
        checked: true,
        version: 1,
        updatedBy: BOB,
        updatedAt: '2026-12-01T10:06:00.000Z',
      },
    );
    api.getRun.mockResolvedValue(checkedByBob);
    await act(async () =>
      signals.send(drillRunChannel(RUN_ID), {
        runId: RUN_ID,
        change: 'step',
        by: BOB,
        at: '2026-12-01T10:06:00.000Z',
      }),
    );

    await waitFor(() =>
      expect(stepBox('Page the database owner')).toBeChecked(),
    );
    expect(api.getRun).toHaveBeenCalledTimes(2);
  });

  it('says so when the run does not exist', async () => {
    const api = fakeRunApi();
    api.getRun.mockRejectedValue(responseError(404, 'No run nope'));
    await renderRunPage({ api, id: 'nope' });
    expect(
      await screen.findByText('This drill run does not exist'),
    ).toBeInTheDocument();
    expect(api.getRun).toHaveBeenCalledWith('nope');
  });

  it('shows other load errors with a retry', async () => {
    const api = fakeRunApi();
    api.getRun.mockRejectedValueOnce(responseError(500, 'database is away'));
    // With signals on nothing polls, so only the button reads again.
    await renderRunPage({ api, signals: fakeSignals().api });
    expect(
      await screen.findByText(/Could not load the run/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is away/).length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByText('Database failure and restore'),
    ).toBeInTheDocument();
  });
});

describe('RunPage of a finished run', () => {
  const finished = (evidence: ReturnType<typeof makeRun>['evidence']) =>
    makeRun({
      state: 'finished',
      finishedAt: '2026-12-01T11:02:03.000Z',
      endedBy: ALICE,
      hasReport: true,
      evidence,
    });

  it('links its report and its filed evidence item', async () => {
    await renderRunPage({
      api: fakeRunApi(
        finished({
          state: 'filed',
          itemId: 'ev-42',
          attempts: 1,
          lastError: null,
        }),
      ),
    });
    expect(await screen.findByText('Read the drill report')).toHaveAttribute(
      'href',
      `/drills/runs/${RUN_ID}/report`,
    );
    expect(screen.getByRole('link', { name: 'ev-42' })).toHaveAttribute(
      'href',
      '/evidence/items/ev-42',
    );
    expect(screen.getByRole('timer', { name: 'Duration' })).toHaveTextContent(
      '1:02:03',
    );
    expect(screen.getByText(/Finished by alice/)).toBeInTheDocument();
  });

  it('shows a pending filing with its attempts', async () => {
    await renderRunPage({
      api: fakeRunApi(
        finished({
          state: 'pending',
          itemId: null,
          attempts: 3,
          lastError: 'connect ECONNREFUSED',
        }),
      ),
    });
    expect(
      await screen.findByText(
        /Evidence filing pending \(3 attempts so far; last error: connect ECONNREFUSED\)/,
      ),
    ).toBeInTheDocument();
  });

  it('shows a failed filing with its error', async () => {
    await renderRunPage({
      api: fakeRunApi(
        finished({
          state: 'failed',
          itemId: null,
          attempts: 1,
          lastError: 'criterion CC9.9 unknown',
        }),
      ),
    });
    expect(
      await screen.findByText(
        /Evidence filing failed after 1 attempt: criterion CC9.9 unknown/,
      ),
    ).toBeInTheDocument();
  });
});
