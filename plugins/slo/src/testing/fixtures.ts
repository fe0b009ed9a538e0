import type {
  SloAlert,
  SloDemoSinkEntry,
  SloObjectiveSummary,
  SloSeries,
  SloStatus,
  SloTierSummary,
} from '@internal/plugin-slo-common';
import type { SloApi } from '../api';

export const OBJECTIVE_ID = 'checkout:availability:region=eu,tier=gold';

export const TIERS: SloTierSummary[] = [
  {
    name: 'fast',
    severity: 'page',
    longWindow: '1h',
    shortWindow: '5m',
    threshold: 14.4,
    budgetShare: 0.02,
    targets: ['pagerduty'],
  },
  {
    name: 'slow',
    severity: 'ticket',
    longWindow: '6h',
    shortWindow: '30m',
    threshold: 6,
    budgetShare: 0.05,
    targets: ['jira'],
  },
];

export function makeStatus(overrides: Partial<SloStatus> = {}): SloStatus {
  return {
    objectiveRef: OBJECTIVE_ID,
    at: '2025-03-01T12:00:00.000Z',
    sli: 0.9995,
    budgetRemaining: 0.8,
    timeToExhaustionMinutes: null,
    burnRates: {
      '5m': { burnRate: 0.5, noTraffic: false },
      '1h': { burnRate: 0.4, noTraffic: false },
      '30m': { burnRate: 0.3, noTraffic: false },
      '6h': { burnRate: 0.2, noTraffic: false },
    },
    firing: [],
    tiers: [],
    dataThrough: '2025-03-01T12:00:00.000Z',
    ...overrides,
  };
}

export function makeObjective(
  overrides: Partial<SloObjectiveSummary> = {},
): SloObjectiveSummary {
  return {
    id: OBJECTIVE_ID,
    name: 'checkout-availability',
    displayName: 'Checkout availability',
    service: 'checkout',
    entityRef: 'component:default/checkout',
    owner: 'group:default/payments',
    system: 'system:default/storefront',
    target: 0.999,
    window: { type: 'rolling', duration: '30d', minutes: 30 * 24 * 60 },
    windowLabel: '30d rolling',
    budgeting: 'Occurrences',
    source: 'prometheus',
    tiers: TIERS,
    labels: {},
    sourceFile: 'slo/checkout.yaml',
    sourceLine: 1,
    state: 'ok',
    status: makeStatus(),
    ...overrides,
  };
}

export function makeSeries(overrides: Partial<SloSeries> = {}): SloSeries {
  const start = Date.parse('2025-03-01T00:00:00.000Z');
  const points = Array.from({ length: 12 }, (_, i) => ({
    at: new Date(start + i * 15 * 60_000).toISOString(),
    sli: i === 3 ? null : 0.9995,
    budgetRemaining: 0.9 - i * 0.01,
    burnRates: {
      '5m': i === 3 ? null : 1 + i,
      '1h': i === 3 ? null : 0.5 + i,
      '30m': 0.4,
      '6h': 0.3,
    },
    firing: [],
  }));
  return {
    objectiveRef: OBJECTIVE_ID,
    from: points[0].at,
    to: points[points.length - 1].at,
    stepMinutes: 15,
    target: 0.999,
    tiers: TIERS,
    points,
    ...overrides,
  };
}

export function makeAlert(overrides: Partial<SloAlert> = {}): SloAlert {
  return {
    id: 'alert-1',
    objectiveRef: OBJECTIVE_ID,
    tier: 'fast',
    severity: 'page',
    dedupKey: `${OBJECTIVE_ID}:fast`,
    state: 'firing',
    firedAt: '2025-03-01T11:00:00.000Z',
    resolvedAt: null,
    acknowledged: null,
    silenced: null,
    links: [
      {
        target: 'jira',
        type: 'jira',
        externalId: 'OPS-42',
        url: 'https://jira.example.com/browse/OPS-42',
      },
    ],
    ...overrides,
  };
}

export function makeSinkEntry(
  overrides: Partial<SloDemoSinkEntry> = {},
): SloDemoSinkEntry {
  return {
    id: 1,
    target: 'pagerduty',
    type: 'pagerduty',
    request: {
      method: 'POST',
      path: '/v2/enqueue',
      body: { event_action: 'trigger', dedup_key: 'checkout:fast' },
    },
    receivedAt: '2025-03-01T11:00:00.000Z',
    ...overrides,
  };
}

export function page<T>(items: T[], totalCount = items.length) {
  return { items, totalCount, limit: 25, offset: 0 };
}

/** Every SloApi call as a jest mock; the read calls answer with empty data. */
export function stubSloApi(
  overrides: Partial<jest.Mocked<SloApi>> = {},
): jest.Mocked<SloApi> {
  return {
    listObjectives: jest.fn().mockResolvedValue(page([])),
    getObjective: jest.fn().mockResolvedValue(makeObjective()),
    getStatus: jest.fn().mockResolvedValue(makeStatus()),
    getSeries: jest.fn().mockResolvedValue(makeSeries()),
    getRules: jest.fn().mockResolvedValue('groups: []\n'),
    getSource: jest.fn().mockResolvedValue('apiVersion: openslo/v1\n'),
    listAlerts: jest.fn().mockResolvedValue(page([])),
    acknowledgeAlert: jest.fn(),
    silenceAlert: jest.fn(),
    listProblems: jest.fn().mockResolvedValue(page([])),
    listDemoSink: jest.fn().mockResolvedValue(page([])),
    getSettings: jest.fn().mockResolvedValue({ demo: false }),
    ...overrides,
  };
}

/** What a ResponseError from the API client looks like to the components. */
export function responseError(statusCode: number, message: string): Error {
  const cause = Object.assign(new Error(message), { name: 'Error' });
  return Object.assign(new Error(`Request failed with ${statusCode}`), {
    name: 'ResponseError',
    statusCode,
    cause,
    body: {
      error: { name: 'Error', message },
      response: { statusCode },
    },
  });
}
