import { ResponseError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type {
  SecurityAlertDetail,
  SecurityAlertSummary,
  SecurityAlertSummaryByDay,
  SecurityPipelineStats,
  SecurityRuleInfo,
} from '@internal/plugin-security-common';
import type { RenderResult } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { SWRConfig } from 'swr';
import { securityApiRef, type SecurityApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { SecurityPage } from '../SecurityPage';

/**
 * The security frontend's test kit: data builders, a fake SecurityApi and a
 * renderer for the plugin's pages.
 */

export const alertSummary = (
  overrides: Partial<SecurityAlertSummary> = {},
): SecurityAlertSummary => ({
  id: 'alert-1',
  ruleId: 'brute-force',
  title: 'Brute force from 203.0.113.7',
  severity: 'high',
  status: 'open',
  groupBy: 'source.ip',
  groupKey: '203.0.113.7',
  firstAt: '2026-03-07T10:00:00.000Z',
  lastAt: '2026-03-07T10:02:00.000Z',
  raisedAt: '2026-03-07T10:02:01.000Z',
  count: 5,
  notification: 'sent',
  ...overrides,
});

export const loginFailure = (n: number) => ({
  '@timestamp': `2026-03-07T10:0${n}:00.000Z`,
  event: {
    action: 'auth.login',
    outcome: 'failure',
    category: 'authentication',
  },
  source: { ip: '203.0.113.7' },
  user: { name: `mallory-${n}` },
  http: { request: { method: 'POST' }, response: { status_code: 401 } },
  url: { path: '/api/auth/guest/refresh' },
  user_agent: { name: 'curl' },
});

export const alertDetail = (
  overrides: Partial<SecurityAlertDetail> = {},
): SecurityAlertDetail => ({
  ...alertSummary(),
  events: [loginFailure(0), loginFailure(1)],
  ...overrides,
});

export const ruleInfo = (
  overrides: Partial<SecurityRuleInfo> = {},
): SecurityRuleInfo => ({
  id: 'brute-force',
  title: 'Brute force',
  severity: 'high',
  threshold: 5,
  windowSeconds: 300,
  groupBy: ['source.ip', 'client.ip'],
  stats: { matched: 42, alerts: 3, keys: 7, suppressed: 2, evicted: 0 },
  ...overrides,
});

export const pipelineStats = (
  overrides: Partial<SecurityPipelineStats> = {},
): SecurityPipelineStats => ({
  startedAt: '2026-03-07T09:00:00.000Z',
  entries: 5000,
  events: 1234,
  skipped: { 'not-security-relevant': 3700, unreadable: 66 },
  dropped: 0,
  late: 1,
  alerts: 3,
  streamed: 0,
  pendingEvents: 0,
  eventsDropped: 0,
  streamLag: 0,
  ...overrides,
});

/** Thirty UTC days ending 2026-03-07, with alerts on the last two. */
export const summaryByDay = (open = 2): SecurityAlertSummaryByDay => ({
  days: Array.from({ length: 30 }, (_, i) => {
    const day = new Date(Date.UTC(2026, 1, 6 + i)).toISOString().slice(0, 10);
    return {
      day,
      low: 0,
      medium: i === 28 ? 1 : 0,
      high: i === 29 ? 2 : 0,
      critical: 0,
    };
  }),
  open,
});

export const emptyPage = { items: [], totalCount: 0, limit: 25, offset: 0 };

/** A security API of jest.fn()s answering an empty system, with `overrides` on top. */
export function fakeSecurityApi(
  overrides: Partial<jest.Mocked<SecurityApi>> = {},
): jest.Mocked<SecurityApi> {
  return {
    listAlerts: jest.fn().mockResolvedValue(emptyPage),
    getAlert: jest
      .fn()
      .mockRejectedValue(new Error('getAlert not expected here')),
    changeAlertStatus: jest
      .fn()
      .mockRejectedValue(new Error('changeAlertStatus not expected here')),
    getSummary: jest.fn().mockResolvedValue(summaryByDay(0)),
    listRules: jest.fn().mockResolvedValue({ rules: [ruleInfo()] }),
    getPipeline: jest.fn().mockResolvedValue(pipelineStats()),
    ...overrides,
  };
}

/** What the client throws for a non-2xx answer: a real ResponseError. */
export function responseError(
  statusCode: number,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', message },
        response: { statusCode },
      }),
      { status: statusCode, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

/**
 * Renders the plugin's pages at `path` (below `/security`); answers the
 * render and the permission API's `authorize`, to wait for its decision.
 */
export async function renderSecurity(
  api: SecurityApi,
  path = '/security',
  /** What the permission policy answers for `security.alert.manage`. */
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
): Promise<RenderResult & { authorize: jest.Mock }> {
  const authorize = jest.fn(async () => ({ result: permission }));
  const rendered = await renderInTestApp(
    // usePermission caches answers in SWR's global cache: a fresh cache per
    // render, so one test's policy answer never shows in the next.
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [securityApiRef, api],
          [permissionApiRef, { authorize }],
        ]}
      >
        <Routes>
          <Route path="/security/*" element={<SecurityPage />} />
        </Routes>
      </TestApiProvider>
    </SWRConfig>,
    { routeEntries: [path], mountedRoutes: { '/security': rootRouteRef } },
  );
  return { ...rendered, authorize };
}
