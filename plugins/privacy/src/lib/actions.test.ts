import { REQUEST_STATES } from '@internal/plugin-privacy-common';
import { allowedActions } from './actions';

describe('allowedActions', () => {
  it('follows the published state machine', () => {
    const table = Object.fromEntries(
      REQUEST_STATES.map(state => [state, allowedActions(state)]),
    );
    expect(table).toEqual({
      received: { approve: false, cancel: true, retry: false, extend: true },
      awaiting_approval: {
        approve: true,
        cancel: true,
        retry: false,
        extend: true,
      },
      on_hold: { approve: false, cancel: true, retry: false, extend: true },
      queued: { approve: false, cancel: true, retry: false, extend: true },
      // running → canceled is not in TRANSITIONS: the API would answer 409.
      running: { approve: false, cancel: false, retry: false, extend: true },
      failed: { approve: false, cancel: true, retry: true, extend: true },
      dead_lettered: {
        approve: false,
        cancel: true,
        retry: true,
        extend: true,
      },
      completed: { approve: false, cancel: false, retry: false, extend: false },
      canceled: { approve: false, cancel: false, retry: false, extend: false },
    });
  });
});
