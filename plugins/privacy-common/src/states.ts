import type { RequestState } from './requests';

/**
 * The published state machine of a DSAR request. Any transition not listed
 * is illegal (the API answers 409).
 *
 *   received ──► queued ──► running ──► completed
 *      │            ▲          │
 *      │            │          ├──► failed ──► (retry) running
 *      │            │          └──► dead_lettered ──(retry)──► queued
 *      └──► awaiting_approval ──(approve)──► queued
 *      └──► on_hold (legal hold: from any state an erasure waits or retries in,
 *               and from running when a crashed run would restart) ──(release)──► awaiting_approval
 *   anything not finished and not running ──► canceled
 */
export const TRANSITIONS: Record<RequestState, RequestState[]> = {
  received: ['queued', 'awaiting_approval', 'on_hold', 'canceled'],
  awaiting_approval: ['queued', 'on_hold', 'canceled'],
  on_hold: ['awaiting_approval', 'canceled'],
  queued: ['running', 'on_hold', 'canceled'],
  running: ['completed', 'failed', 'dead_lettered', 'queued', 'on_hold'],
  failed: ['running', 'dead_lettered', 'queued', 'on_hold', 'canceled'],
  dead_lettered: ['queued', 'on_hold', 'canceled'],
  completed: [],
  canceled: [],
};

export const FINAL_STATES: RequestState[] = ['completed', 'canceled'];

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}
