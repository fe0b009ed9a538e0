import type { EvidenceCadence } from './catalog';

/** One evidence item: the metadata row beside its content-addressed file. */
export interface EvidenceItem {
  id: string;
  /** e.g. `sbom`, `change-management.git`, `manual`; see EVIDENCE_TYPES. */
  type: string;
  title: string;
  /** Points it supports, e.g. `['CC8.1']`. */
  points: string[];
  /** Collector id, or null for an upload. */
  collector: string | null;
  /** The collector run that filed it. */
  runId: string | null;
  /** The catalog entity it is about, e.g. `component:default/api-gateway`. */
  entityRef: string | null;
  /** The period the evidence covers (not when it was collected). */
  periodStart: string;
  periodEnd: string;
  collectedAt: string;
  /** Who filed it: a user entity ref, or `collector:<id>`. */
  filedBy: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  fileName: string;
  cadence: EvidenceCadence;
  retainUntil: string;
  legalHold: boolean;
  /** Small facts for people (counts, flags); the file holds the detail. */
  summary: Record<string, unknown>;
}

export type PointStatus = 'fresh' | 'stale' | 'missing' | 'exception';

/** Coverage of one point, computed from evidence and exception rows. */
export interface PointCoverage {
  id: string;
  title: string;
  status: PointStatus;
  /** Evidence items filed for the point. */
  itemCount: number;
  /** Newest `collectedAt` of its evidence, if any. */
  lastCollectedAt: string | null;
  /** When its freshest evidence goes stale, if it has any. */
  freshUntil: string | null;
  /** The collectors whose evidence supports it (for "collect now"). */
  collectors: string[];
  exception: EvidenceException | null;
}

/** Coverage of one criterion (CC1..CC9 or an adopter's). */
export interface CriterionCoverage {
  id: string;
  title: string;
  points: PointCoverage[];
  counts: Record<PointStatus, number>;
}

export interface CoverageReport {
  at: string;
  criteria: CriterionCoverage[];
  /** Over all points: how many are fresh, stale, missing, excepted. */
  counts: Record<PointStatus, number>;
}

/** A point that is knowingly not covered, for a reason, until a date. */
export interface EvidenceException {
  id: string;
  point: string;
  reason: string;
  approver: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export type CollectorRunState = 'running' | 'succeeded' | 'failed';
export type CollectorTrigger = 'schedule' | 'api' | 'scaffolder' | 'demo';

export interface CollectorRun {
  id: string;
  collector: string;
  trigger: CollectorTrigger;
  entityRef: string | null;
  requestedBy: string;
  state: CollectorRunState;
  startedAt: string;
  finishedAt: string | null;
  itemCount: number;
  error: string | null;
  /** The run's log; only in the single-run answer. */
  log?: string;
}

export interface CollectorInfo {
  id: string;
  title: string;
  description: string;
  points: string[];
  cadence: EvidenceCadence;
  perEntity: boolean;
  lastRun: CollectorRun | null;
}

export type BinderState = 'queued' | 'building' | 'ready' | 'failed';

export interface Binder {
  id: string;
  periodStart: string;
  periodEnd: string;
  points: string[];
  state: BinderState;
  /** Files written so far and in all. */
  progress: { files: number; totalFiles: number; bytes: number; totalBytes: number };
  sha256: string | null;
  sizeBytes: number | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** What verifying a binder found: each file that differs, is missing or is extra. */
export interface BinderVerification {
  ok: boolean;
  signatureValid: boolean;
  fileCount: number;
  mismatched: string[];
  missing: string[];
  extra: string[];
  /** Problems that are not about one file (unreadable archive, no manifest). */
  errors: string[];
}
