import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  changeEvidenceFileName,
  changeRecordRequestSchema,
  EVIDENCE_TYPES,
  EvidenceItem,
} from '@internal/plugin-evidence-common';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { EvidenceService } from '../items/EvidenceService';
import type { ItemStore } from '../store/ItemStore';

export const ROLLBACK_TYPE = 'change-management.rollback';

/** A change record as parsed from the request body. */
export type ChangeRecord = z.output<typeof changeRecordRequestSchema>;

/** How far in the future a change may say it finished (clock skew). */
const MAX_SKEW_MS = 5 * 60 * 1000;

type Fact = ChangeRecord['before'][string];

/** The revision a state names: `revision`, else a commit SHA (12 characters). */
function revisionOf(facts: Record<string, Fact>): string | number | null {
  const value = facts.revision ?? facts.commit ?? facts.sha ?? null;
  if (typeof value === 'string' && /^[0-9a-f]{13,}$/i.test(value)) {
    return value.slice(0, 12);
  }
  return Array.isArray(value) ? null : value;
}

/** Same request, same digest: keys sorted at every level. */
function digest(record: ChangeRecord): string {
  const canonical = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map(k => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(record)))
    .digest('hex');
}

/** Filings of one key in progress in this process, so a retry waits for the first. */
const inFlight = new Map<string, Promise<unknown>>();

async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  while (inFlight.has(key)) await inFlight.get(key)!.catch(() => undefined);
  const running = work();
  inFlight.set(key, running);
  try {
    return await running;
  } finally {
    inFlight.delete(key);
  }
}

/**
 * Files a change as change-management evidence (CC8.1), once per `key`: the
 * whole record as a JSON file, filed by the person who performed it, with the
 * calling service kept as `recordedBy`. The same key again answers the item
 * already filed (`created: false`); the same key with another change is a
 * ConflictError, and a change that finishes in the future an InputError.
 * A user (not a service) may only record a change they performed.
 */
export async function recordChange(
  deps: { items: ItemStore; evidence: EvidenceService },
  record: ChangeRecord,
  recordedBy: string,
  now: Date = new Date(),
): Promise<{ item: EvidenceItem; created: boolean }> {
  if (!recordedBy.startsWith('service:') && recordedBy !== record.performedBy) {
    throw new NotAllowedError(
      'A user may only record a change they performed themselves',
    );
  }
  const finishedAt = new Date(record.finishedAt);
  if (finishedAt.getTime() > now.getTime() + MAX_SKEW_MS) {
    // A future end would keep CC8.1 fresh until then.
    throw new InputError('Invalid input: finishedAt: is in the future');
  }
  const fileName = changeEvidenceFileName(record.key);
  const requestSha256 = digest(record);
  return oneAtATime(record.key, async () => {
    const existing = await findByKey(deps.items, record.key, fileName);
    if (existing) {
      if (existing.summary.requestSha256 !== requestSha256) {
        throw new ConflictError(
          `Change ${record.key} is already recorded with other content`,
        );
      }
      return { item: existing, created: false };
    }
    const before = revisionOf(record.before);
    const after = revisionOf(record.after);
    const revisions =
      before !== null || after !== null
        ? `, revision ${before ?? '?'} → ${after ?? '?'}`
        : '';
    const { points, cadence } = EVIDENCE_TYPES[ROLLBACK_TYPE];
    const document = { ...record, recordedBy, recordedAt: now.toISOString() };
    const item = await deps.evidence.file({
      type: ROLLBACK_TYPE,
      title: `Rollback of ${record.entityRef} (${record.strategy}${revisions})`,
      points,
      cadence,
      collector: null,
      runId: null,
      entityRef: record.entityRef,
      periodStart: new Date(record.startedAt),
      periodEnd: finishedAt,
      filedBy: record.performedBy,
      fileName,
      mediaType: 'application/json',
      content: `${JSON.stringify(document, null, 2)}\n`,
      summary: {
        key: record.key,
        strategy: record.strategy,
        performedBy: record.performedBy,
        recordedBy,
        beforeRevision: before,
        afterRevision: after,
        incidentUrl: record.incidentUrl ?? null,
        requestSha256,
      },
    });
    return { item, created: true };
  });
}

/** The item filed for a key: by type and file name, then the key itself. */
async function findByKey(
  items: ItemStore,
  key: string,
  fileName: string,
): Promise<EvidenceItem | undefined> {
  const page = await items.list(
    { type: ROLLBACK_TYPE, q: fileName },
    { limit: 100, offset: 0 },
  );
  return page.items.find(i => i.fileName === fileName && i.summary.key === key);
}
