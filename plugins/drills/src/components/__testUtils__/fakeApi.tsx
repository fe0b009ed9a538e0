import { alertApiRef, identityApiRef } from '@backstage/core-plugin-api';
import type { SignalApi } from '@backstage/plugin-signals-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { SWRConfig } from 'swr';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import type {
  CalendarEntry,
  RunListItem,
  RunStep,
  RunView,
  RunViewer,
  RunbookSummary,
  ScenarioHistory,
} from '@internal/plugin-drills-common';
import type { RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import { drillsApiRef, type DrillsApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { RunPage } from '../run/RunPage';

/**
 * The drills frontend's test kit: data builders, a fake DrillsApi, a fake
 * signal API and renderers for the plugin's pages.
 */

export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const CAROL = 'user:default/carol';
export const RUN_ID = 'run-1';
export const STARTED_AT = '2026-12-01T10:00:00.000Z';

export const runbookSummary = (
  overrides: Partial<RunbookSummary> = {},
): RunbookSummary => ({
  id: 'database-restore',
  kind: 'scenario',
  title: 'Database failure and restore',
  services: ['portal-db'],
  severity: 'SEV1',
  owner: 'group:default/drill-leads',
  roles: ['lead', 'coordinator', 'observer', 'scribe'],
  checkpoints: [
    { id: 'detected', title: 'Detected', targetMinutes: 5, phase: 'detect' },
    { id: 'restored', title: 'Restored', targetMinutes: 45, phase: 'recover' },
  ],
  file: 'database-restore.md',
  markdownLine: 12,
  stepCount: 8,
  ...overrides,
});

export const calendarEntry = (
  overrides: Partial<CalendarEntry> = {},
): CalendarEntry => ({
  month: '2026-12',
  scenarioId: 'database-restore',
  startsAt: '2026-12-01T09:00:00Z',
  endsAt: '2026-12-01T11:00:00Z',
  localDate: '2026-12-01',
  localTime: '10:00',
  timezone: 'Europe/Berlin',
  status: 'planned',
  ...overrides,
});

export const runListItem = (
  overrides: Partial<RunListItem> = {},
): RunListItem => ({
  id: 'run-1',
  scenarioId: 'database-restore',
  title: 'Database failure and restore',
  calendarMonth: '2026-12',
  state: 'running',
  lead: 'user:default/lead',
  startedAt: '2026-12-01T09:02:00Z',
  finishedAt: null,
  abortedAt: null,
  abortReason: null,
  endedBy: null,
  createdBy: 'user:default/lead',
  hasReport: false,
  participants: [],
  checkpoints: [
    {
      id: 'detected',
      title: 'Detected',
      phase: 'detect',
      targetMinutes: 5,
      position: 0,
      reachedAt: '2026-12-01T09:05:00Z',
      reachedBy: 'user:default/lead',
      elapsedMinutes: 3,
      passed: true,
    },
    {
      id: 'restored',
      title: 'Restored',
      phase: 'recover',
      targetMinutes: 45,
      position: 1,
      reachedAt: null,
      reachedBy: null,
      elapsedMinutes: null,
      passed: false,
    },
  ],
  actionItems: [],
  progress: { steps: 8, checked: 3 },
  ...overrides,
});

export const runView = (overrides: Partial<RunView> = {}): RunView => ({
  ...runListItem(),
  evidence: null,
  reportMarkdown: null,
  phases: [],
  notes: [],
  attachments: [],
  ...overrides,
});

export const scenarioHistory = (): ScenarioHistory => ({
  scenarioId: 'database-restore',
  title: 'Database failure and restore',
  checkpointsPassed: 3,
  checkpointsTotal: 4,
  passRate: 0.75,
  runs: [1, 2].map(n => ({
    runId: `run-${n}`,
    startedAt: `2026-0${n}-06T09:00:00Z`,
    finishedAt: `2026-0${n}-06T10:00:00Z`,
    durationMinutes: 60,
    phases: [
      {
        phase: 'detect',
        checkpointId: 'detected',
        targetMinutes: 5,
        minutes: 3 + n,
        passed: true,
      },
      {
        phase: 'recover',
        checkpointId: 'restored',
        targetMinutes: 45,
        minutes: 40 + n * 5,
        passed: n === 1,
      },
    ],
    timeToDetectMinutes: 3 + n,
    timeToRespondMinutes: null,
    timeToRecoverMinutes: 40 + n * 5,
    checkpointsPassed: n === 1 ? 2 : 1,
    checkpointsTotal: 2,
    passRate: n === 1 ? 1 : 0.5,
  })),
});

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
  return runView({
    lead: ALICE,
    startedAt: STARTED_AT,
    createdBy: ALICE,
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
    progress: { steps: 3, checked: 1 },
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
    ...change,
  });
}

/** A drills API of jest.fn()s answering an empty system, with `overrides` on top. */
export function fakeDrillsApi(
  overrides: Partial<jest.Mocked<DrillsApi>> = {},
): jest.Mocked<DrillsApi> {
  const unexpected = (name: string) =>
    jest.fn().mockRejectedValue(new Error(`${name} not expected here`));
  return {
    listRunbooks: jest
      .fn()
      .mockResolvedValue({ runbooks: [runbookSummary()], problems: [] }),
    getRunbook: unexpected('getRunbook'),
    getCalendar: jest
      .fn()
      .mockResolvedValue({ timezone: 'Europe/Berlin', entries: [] }),
    listOverrides: jest.fn().mockResolvedValue({ items: [] }),
    recordOverride: unexpected('recordOverride'),
    getCalendarSubscription: jest
      .fn()
      .mockResolvedValue({ url: 'https://portal.example/api/drills/ics/t' }),
    listRuns: jest
      .fn()
      .mockResolvedValue({ items: [], totalCount: 0, limit: 25, offset: 0 }),
    getRun: unexpected('getRun'),
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
    heartbeat: jest.fn().mockResolvedValue({ viewers: [] }),
    leave: jest.fn().mockResolvedValue(undefined),
    getHistory: jest.fn().mockResolvedValue([]),
    ...overrides,
  };
}

/**
 * The drills API as the run page sees it: `getRun` answers `run`, the
 * heartbeat answers `viewers`; everything else is `fakeDrillsApi`'s.
 */
export function fakeRunApi(
  run: RunView = makeRun(),
  viewers: RunViewer[] = [],
): jest.Mocked<DrillsApi> {
  return fakeDrillsApi({
    getRun: jest.fn().mockResolvedValue(run),
    heartbeat: jest.fn().mockResolvedValue({ viewers }),
  });
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

/** Renders `element` (or the whole plugin router) at `path` below `/drills`. */
export async function renderDrills(
  api: DrillsApi,
  element: ReactElement,
  path = '/drills',
  /** What the permission policy answers (leading a drill, say). */
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  return renderInTestApp(
    // usePermission caches answers in SWR's global cache: a fresh cache per
    // render, so one test's policy answer never shows in the next.
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [drillsApiRef, api],
          [permissionApiRef, mockApis.permission({ authorize: permission })],
        ]}
      >
        <Routes>
          <Route path="/drills/*" element={element} />
        </Routes>
      </TestApiProvider>
    </SWRConfig>,
    { routeEntries: [path], mountedRoutes: { '/drills': rootRouteRef } },
  );
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
