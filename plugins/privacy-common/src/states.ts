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
 *      └──► on_hold (legal hold, also from queued) ──(release)──► awaiting_approval
 *   anything not finished ──► canceled
 */
export const TRANSITIONS: Record<RequestState, RequestState[]> = {
  received: ['queued', 'awaiting_approval', 'on_hold', 'canceled'],
  awaiting_approval: ['queued', 'on_hold', 'canceled'],
  on_hold: ['awaiting_approval', 'canceled'],
  queued: ['running', 'on_hold', 'canceled'],
  running: ['completed', 'failed', 'dead_lettered', 'queued'],
  failed: ['running', 'dead_lettered', 'queued', 'canceled'],
  dead_lettered: ['queued', 'canceled'],
  completed: [],
  canceled: [],
};

export const FINAL_STATES: RequestState[] = ['completed', 'canceled'];

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}
