import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import type { SignalApi } from '@backstage/plugin-signals-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type {
  RunStep,
  RunView,
  RunViewer,
} from '@internal/plugin-drills-common';
import type { RenderResult } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { drillsApiRef, type DrillsApi } from '../../../api';
import { rootRouteRef } from '../../../routes';
import { RunPage } from '../RunPage';

export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const CAROL = 'user:default/carol';
export const RUN_ID = 'run-1';
export const STARTED_AT = '2026-12-01T10:00:00.000Z';

export function makeStep(
  phase: string,
  n: number,
  text: string,
  change: Partial<RunStep> = {},
): RunStep {
  return {
    id: `${phase}-${n}`,
    phase,
    position: n,
    text,
    checked: false,
    version: 0,
    updatedBy: null,
    updatedAt: null,
    ...change,
  };
}

/** A running database-restore drill led by alice, with bob as coordinator. */
export function makeRun(change: Partial<RunView> = {}): RunView {
  return {
    id: RUN_ID,
    scenarioId: 'database-restore',
    title: 'Database failure and restore',
    calendarMonth: '2026-12',
    state: 'running',
    lead: ALICE,
    startedAt: STARTED_AT,
    finishedAt: null,
    abortedAt: null,
    abortReason: null,
    endedBy: null,
    createdBy: ALICE,
    hasReport: false,
    participants: [
      { entityRef: ALICE, role: 'lead', addedAt: STARTED_AT },
      { entityRef: BOB, role: 'coordinator', addedAt: STARTED_AT },
    ],
    checkpoints: [
      {
        id: 'detected',
        title: 'Failure detected',
        phase: 'detect',
        targetMinutes: 5,
        position: 1,
        reachedAt: '2026-12-01T10:03:00.000Z',
        reachedBy: BOB,
        elapsedMinutes: 3,
        passed: true,
      },
      {
        id: 'restored',
        title: 'Database restored',
        phase: 'recover',
        targetMinutes: 60,
        position: 2,
        reachedAt: null,
        reachedBy: null,
        elapsedMinutes: null,
        passed: false,
      },
    ],
    actionItems: [],
    progress: { steps: 3, checked: 1 },
    evidence: null,
    reportMarkdown: null,
    phases: [
      {
        phase: 'detect',
        steps: [
          makeStep('detect', 1, 'Confirm the primary is down', {
            checked: true,
            version: 1,
            updatedBy: BOB,
            updatedAt: '2026-12-01T10:02:00.000Z',
          }),
        ],
      },
      {
        phase: 'respond',
        steps: [makeStep('respond', 1, 'Page the database owner')],
      },
      {
        phase: 'recover',
        steps: [makeStep('recover', 1, 'Restore the latest snapshot')],
      },
    ],
    notes: [],
    attachments: [],
    ...change,
  };
}

export function fakeDrillsApi(
  run: RunView = makeRun(),
  viewers: RunViewer[] = [],
): jest.Mocked<DrillsApi> {
  // Typed loosely so each stands in for any method; tests set what they use.
  const unexpected = (name: string): any =>
    jest.fn(() => Promise.reject(new Error(`unexpected call ${name}`)));
  return {
    listRunbooks: unexpected('listRunbooks'),
    getRunbook: unexpected('getRunbook'),
    getCalendar: unexpected('getCalendar'),
    listOverrides: unexpected('listOverrides'),
    recordOverride: unexpected('recordOverride'),
    getCalendarSubscription: unexpected('getCalendarSubscription'),
    listRuns: unexpected('listRuns'),
    getRun: jest.fn().mockResolvedValue(run),
    startRun: unexpected('startRun'),
    setStep: unexpected('setStep'),
    reachCheckpoint: unexpected('reachCheckpoint'),
    addNote: unexpected('addNote'),
    addAttachment: unexpected('addAttachment'),
    downloadAttachment: unexpected('downloadAttachment'),
    addActionItem: unexpected('addActionItem'),
    addParticipant: unexpected('addParticipant'),
    finishRun: unexpected('finishRun'),
    abortRun: unexpected('abortRun'),
    getReportHtml: unexpected('getReportHtml'),
    getReportMarkdown: unexpected('getReportMarkdown'),
    heartbeat: jest.fn().mockResolvedValue({ viewers }),
    getHistory: unexpected('getHistory'),
  } as jest.Mocked<DrillsApi>;
}

/** A signal API whose messages a test sends with `send(channel, message)`. */
export function fakeSignals() {
  const listeners = new Map<string, Set<(message: any) => void>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      const set = listeners.get(channel) ?? new Set();
      set.add(onMessage as (message: any) => void);
      listeners.set(channel, set);
      return { unsubscribe: () => set.delete(onMessage as any) };
    },
  };
  const send = (channel: string, message: object) =>
    listeners.get(channel)?.forEach(listener => listener(message));
  return { api, send, listeners };
}

/** What the client throws for a non-2xx answer. */
export function responseError(statusCode: number, message: string): Error {
  const cause = Object.assign(new Error(message), { name: 'Error' });
  return Object.assign(new Error(`Request failed with ${statusCode}`), {
    name: 'ResponseError',
    statusCode,
    cause,
    body: { error: { name: 'Error', message }, response: { statusCode } },
  });
}

/** Renders the run page at `/drills/runs/<id>` as `user`. */
export async function renderRunPage(options: {
  api: DrillsApi;
  user?: string;
  signals?: SignalApi;
  id?: string;
}): Promise<RenderResult & { alertApi: { post: jest.Mock } }> {
  const alertApi = { post: jest.fn(), alert$: jest.fn() };
  const identityApi = {
    getBackstageIdentity: async () => ({
      type: 'user' as const,
      userEntityRef: options.user ?? ALICE,
      ownershipEntityRefs: [options.user ?? ALICE],
    }),
    getProfileInfo: async () => ({}),
    getCredentials: async () => ({}),
    signOut: async () => {},
  };
  const apis: any[] = [
    [drillsApiRef, options.api],
    [alertApiRef, alertApi],
    [identityApiRef, identityApi],
  ];
  if (options.signals) apis.push([signalApiRef, options.signals]);
  const rendered = await renderInTestApp(
    <TestApiProvider apis={apis as any}>
      <Routes>
        <Route path="/drills/runs/:id" element={<RunPage />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [`/drills/runs/${options.id ?? RUN_ID}`],
      mountedRoutes: { '/drills': rootRouteRef },
    },
  );
  return { ...rendered, alertApi };
}
