import type { AlertApi } from '@backstage/core-plugin-api';
import type {
  DsarRequest,
  DsarRequestDetail,
} from '@internal/plugin-privacy-common';
import type { PrivacyApi } from '../api';

const HOUR = 3_600_000;

/** An ISO timestamp `hours` from now (negative: in the past). */
export function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * HOUR).toISOString();
}

export function makeRequest(overrides: Partial<DsarRequest> = {}): DsarRequest {
  return {
    id: 'dsar-0001',
    type: 'delete',
    state: 'awaiting_approval',
    subjectId: 'customer-42',
    subjectHidden: false,
    region: 'EU',
    jurisdiction: 'GDPR',
    priority: 10,
    requester: 'user:default/guest',
    approvedBy: null,
    createdAt: hoursFromNow(-10),
    updatedAt: hoursFromNow(-10),
    completedAt: null,
    slaDueAt: hoursFromNow(62),
    legalDueAt: hoursFromNow(24 * 30),
    extensionReason: null,
    attempts: 0,
    lastError: null,
    demo: false,
    ...overrides,
  };
}

export function makeDetail(
  overrides: Partial<DsarRequestDetail> = {},
): DsarRequestDetail {
  return {
    ...makeRequest(),
    sources: [],
    export: null,
    erasureProof: null,
    ...overrides,
  };
}

/** Every PrivacyApi call as a jest mock; the read calls answer with empty data. */
export function stubPrivacyApi(
  overrides: Partial<jest.Mocked<PrivacyApi>> = {},
): jest.Mocked<PrivacyApi> {
  return {
    listRequests: jest
      .fn()
      .mockResolvedValue({ items: [], totalCount: 0, limit: 25, offset: 0 }),
    getStatus: jest.fn().mockResolvedValue(makeDetail()),
    submitExport: jest.fn(),
    submitDelete: jest.fn(),
    approve: jest.fn(),
    cancel: jest.fn(),
    retry: jest.fn(),
    extendDeadline: jest.fn(),
    getAudit: jest.fn().mockResolvedValue({ events: [] }),
    verifyAudit: jest.fn().mockResolvedValue({ ok: true, count: 0 }),
    downloadExport: jest.fn(),
    changeConsent: jest.fn(),
    getConsent: jest.fn(),
    getSlaReport: jest
      .fn()
      .mockResolvedValue({ windowDays: 30, objective: 0.95, rows: [] }),
    getQueueMetrics: jest.fn().mockResolvedValue({
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0,
      deadLettered: 0,
    }),
    ...overrides,
  };
}

export function stubAlertApi(): jest.Mocked<AlertApi> {
  return {
    post: jest.fn(),
    alert$: jest.fn(),
  } as unknown as jest.Mocked<AlertApi>;
}

/** What a ResponseError from the API client looks like to the components. */
export function responseError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`Request failed with ${statusCode}`), {
    name: 'ResponseError',
    statusCode,
    body: { error: { name: 'Error', message } },
  });
}
