import {
  canTransition,
  FINAL_STATES,
  type RequestState,
} from '@internal/plugin-privacy-common';

export type RequestAction = 'approve' | 'cancel' | 'retry' | 'extend';

/**
 * Which actions the published state machine allows from a state. The
 * server decides who may do them; the page only greys out what would be a
 * 409 anyway.
 */
export function allowedActions(
  state: RequestState,
): Record<RequestAction, boolean> {
  return {
    approve: state === 'awaiting_approval' && canTransition(state, 'queued'),
    cancel: canTransition(state, 'canceled'),
    retry:
      (state === 'failed' || state === 'dead_lettered') &&
      canTransition(state, 'queued'),
    extend: !FINAL_STATES.includes(state),
  };
}
