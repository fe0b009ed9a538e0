import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type {
  CalendarEntry,
  RunListItem,
  RunView,
  RunbookSummary,
  ScenarioHistory,
} from '@internal/plugin-drills-common';
import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import { drillsApiRef, type DrillsApi } from '../../api';
import { rootRouteRef } from '../../routes';

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
    getHistory: jest.fn().mockResolvedValue([]),
    ...overrides,
  };
}

/** An error as the client throws it for a refused call. */
export function responseError(status: number, message: string) {
  return Object.assign(new Error(`Request failed with ${status}`), {
    statusCode: status,
    body: { error: { message } },
  });
}

/** Renders `element` (or the whole plugin router) at `path` below `/drills`. */
export async function renderDrills(
  api: DrillsApi,
  element: ReactElement,
  path = '/drills',
) {
  return renderInTestApp(
    <TestApiProvider apis={[[drillsApiRef, api]]}>
      <Routes>
        <Route path="/drills/*" element={element} />
      </Routes>
    </TestApiProvider>,
    { routeEntries: [path], mountedRoutes: { '/drills': rootRouteRef } },
  );
}
