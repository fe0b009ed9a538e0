import type { AlertApi } from '@backstage/core-plugin-api';
import {
  COMMON_CRITERIA,
  type Binder,
  type CollectorInfo,
  type CollectorRun,
  type CoverageReport,
  type CriterionCoverage,
  type EvidenceItem,
  type PointCoverage,
  type PointStatus,
} from '@internal/plugin-evidence-common';
import type { Page } from '@internal/plugin-ops-react';
import type {
  CollectorRunDetail,
  EvidenceApi,
  EvidenceItemDetail,
} from '../api';

export function page<T>(items: T[], limit = 25): Page<T> {
  return { items, totalCount: items.length, limit, offset: 0 };
}

/** A promise and the functions that settle it, for a call a test answers later. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Shaped as a ResponseError: its message names the status and the backend's message. */
export function responseError(status: number, message: string) {
  return Object.assign(new Error(`Request failed with ${status}, ${message}`), {
    statusCode: status,
    body: { error: { message } },
  });
}

export function makeItem(overrides: Partial<EvidenceItem> = {}): EvidenceItem {
  return {
    id: '6f1c1c66-0000-4000-8000-000000000001',
    type: 'sbom',
    title: 'SBOM of the workspace',
    points: ['CC6.8', 'CC7.1'],
    collector: 'sbom',
    runId: '6f1c1c66-0000-4000-8000-0000000000aa',
    entityRef: null,
    periodStart: '2026-11-01T00:00:00.000Z',
    periodEnd: '2026-11-30T23:59:59.999Z',
    collectedAt: '2026-11-30T12:00:00.000Z',
    filedBy: 'collector:sbom',
    sha256: 'a'.repeat(64),
    sizeBytes: 2048,
    mediaType: 'application/spdx+json',
    fileName: 'sbom.spdx.json',
    cadence: 'weekly',
    retainUntil: '2033-11-30T12:00:00.000Z',
    legalHold: false,
    summary: { packages: 1200, withLicense: 1180 },
    ...overrides,
  };
}

export function makeItemDetail(
  overrides: Partial<EvidenceItemDetail> = {},
): EvidenceItemDetail {
  return {
    ...makeItem(),
    chain: { position: 42, hash: 'c'.repeat(64) },
    ...overrides,
  };
}

export function makeRun(overrides: Partial<CollectorRun> = {}): CollectorRun {
  return {
    id: '6f1c1c66-0000-4000-8000-0000000000aa',
    collector: 'sbom',
    trigger: 'api',
    entityRef: null,
    requestedBy: 'user:default/guest',
    state: 'running',
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: null,
    itemCount: 0,
    error: null,
    ...overrides,
  };
}

export function makeRunDetail(
  overrides: Partial<CollectorRunDetail> = {},
): CollectorRunDetail {
  return { ...makeRun(), log: '', items: [], ...overrides };
}

export function makeCollector(
  overrides: Partial<CollectorInfo> = {},
): CollectorInfo {
  return {
    id: 'sbom',
    title: 'SBOM',
    description: 'An SPDX 2.3 document of the workspace from yarn.lock',
    points: ['CC6.8', 'CC7.1'],
    cadence: 'weekly',
    perEntity: false,
    lastRun: null,
    ...overrides,
  };
}

export function makeBinder(overrides: Partial<Binder> = {}): Binder {
  return {
    id: '6f1c1c66-0000-4000-8000-0000000000b1',
    periodStart: '2026-09-01T00:00:00.000Z',
    periodEnd: '2026-11-30T23:59:59.999Z',
    points: ['CC6.8', 'CC7.1'],
    state: 'queued',
    progress: { files: 0, totalFiles: 0, bytes: 0, totalBytes: 0 },
    sha256: null,
    sizeBytes: null,
    createdBy: 'user:default/guest',
    createdAt: '2026-12-01T10:00:00.000Z',
    finishedAt: null,
    error: null,
    ...overrides,
  };
}

function countsOf(points: PointCoverage[]): Record<PointStatus, number> {
  const counts = { fresh: 0, stale: 0, missing: 0, exception: 0 };
  for (const point of points) counts[point.status]++;
  return counts;
}

/**
 * A coverage report over the common criteria; `points` sets some points'
 * coverage, every other point is missing with no evidence.
 */
export function makeCoverage(
  points: Record<string, Partial<PointCoverage>> = {},
): CoverageReport {
  const criteria: CriterionCoverage[] = COMMON_CRITERIA.map(criterion => {
    const covered = criterion.points.map(
      (point): PointCoverage => ({
        id: point.id,
        title: point.title,
        status: 'missing',
        itemCount: 0,
        lastCollectedAt: null,
        freshUntil: null,
        collectors: [],
        exception: null,
        ...points[point.id],
      }),
    );
    return {
      id: criterion.id,
      title: criterion.title,
      points: covered,
      counts: countsOf(covered),
    };
  });
  return {
    at: '2026-12-01T10:00:00.000Z',
    criteria,
    counts: countsOf(criteria.flatMap(c => c.points)),
  };
}

/** Every EvidenceApi call as a jest mock; the reads answer with empty data. */
export function stubEvidenceApi(
  overrides: Partial<jest.Mocked<EvidenceApi>> = {},
): jest.Mocked<EvidenceApi> {
  return {
    getCriteria: jest.fn().mockResolvedValue(COMMON_CRITERIA),
    getCoverage: jest.fn().mockResolvedValue(makeCoverage()),
    listItems: jest.fn().mockResolvedValue(page([])),
    getItem: jest.fn().mockResolvedValue(makeItemDetail()),
    verifyItem: jest.fn(),
    uploadItem: jest.fn(),
    setLegalHold: jest.fn(),
    deleteItem: jest.fn(),
    downloadItem: jest.fn(),
    itemContentUrl: jest.fn(
      async (id: string) =>
        `http://backend.test/api/evidence/items/${id}/content`,
    ),
    listCollectors: jest.fn().mockResolvedValue([]),
    runCollector: jest.fn(),
    listRuns: jest.fn().mockResolvedValue(page([])),
    getRun: jest.fn().mockResolvedValue(makeRunDetail()),
    listExceptions: jest.fn().mockResolvedValue(page([])),
    createException: jest.fn(),
    revokeException: jest.fn(),
    listAccessReviews: jest.fn().mockResolvedValue(page([])),
    signOffAccessReview: jest.fn(),
    listBinders: jest.fn().mockResolvedValue(page([], 10)),
    createBinder: jest.fn(),
    getBinder: jest.fn(),
    verifyBinder: jest.fn(),
    downloadBinder: jest.fn(),
    binderDownloadUrl: jest.fn(
      async (id: string) =>
        `http://backend.test/api/evidence/binders/${id}/download`,
    ),
    getPublicKey: jest
      .fn()
      .mockResolvedValue(
        '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAtest\n-----END PUBLIC KEY-----\n',
      ),
    ...overrides,
  };
}

export function stubAlertApi(): jest.Mocked<AlertApi> {
  return {
    post: jest.fn(),
    alert$: jest.fn(),
  } as unknown as jest.Mocked<AlertApi>;
}
