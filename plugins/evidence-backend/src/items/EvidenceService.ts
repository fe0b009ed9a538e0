import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  EvidenceCadence,
  EvidenceItem,
} from '@internal/plugin-evidence-common';
import {
  AuditChain,
  BlobStore,
  contentAddressedKey,
  spool,
  SpooledFile,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ItemStore } from '../store/ItemStore';
import { iso } from '../store/rows';

const INTENTS = 'evidence_blob_intents';

/**
 * How old a blob intent must be before a sweep treats its filing as dead:
 * long enough for any live filing (a large file to S3) to finish.
 */
export const INTENT_SWEEP_AGE_MS = 60 * 60 * 1000;

/** What is filed: the file and what it proves. */
export interface FileEvidenceInput {
  type: string;
  title: string;
  points: string[];
  cadence: EvidenceCadence;
  collector: string | null;
  runId: string | null;
  entityRef: string | null;
  periodStart: Date;
  periodEnd: Date;
  filedBy: string;
  fileName: string;
  mediaType: string;
  /** The content, or a file already spooled (an upload), which the caller removes. */
  content: Buffer | string | Readable | SpooledFile;
  summary?: Record<string, unknown>;
  /** Refuse content larger than this (uploads). */
  maxBytes?: number;
}

function isSpooled(content: unknown): content is SpooledFile {
  return (
    typeof content === 'object' &&
    content !== null &&
    'sha256' in content &&
    'open' in content &&
    'remove' in content
  );
}

export interface ItemWithChain extends EvidenceItem {
  chain: { position: number; hash: string } | null;
}

export interface ItemVerification {
  ok: boolean;
  sha256: { expected: string; actual: string | null };
  chain: { ok: boolean; position: number | null };
  problems: string[];
}

/**
 * Files, reads, holds and expires evidence. A file is stored as a
 * content-addressed blob (with the retention date, which S3 Object Lock
 * enforces where configured) and described by an append-only row whose
 * filing is an event in the audit chain. A blob intent row, committed
 * before the blob is written and removed with the row's insert, lets a
 * sweep remove a blob whose row never came (the process died between them).
 */
export class EvidenceService {
  constructor(
    private readonly options: {
      db: Knex;
      items: ItemStore;
      blobs: BlobStore;
      audit: AuditChain;
      retentionYears: number;
      clock?: () => Date;
    },
  ) {}

  #now() {
    return this.options.clock?.() ?? new Date();
  }

  retainUntil(from: Date): Date {
    const until = new Date(from);
    until.setUTCFullYear(until.getUTCFullYear() + this.options.retentionYears);
    return until;
  }

  async file(input: FileEvidenceInput): Promise<EvidenceItem> {
    const { db, items, blobs, audit } = this.options;
    if (input.periodEnd < input.periodStart) {
      throw new InputError('the period ends before it starts');
    }
    const given = isSpooled(input.content) ? input.content : undefined;
    const spooled =
      given ??
      (await spool(input.content as Buffer | string | Readable, {
        maxBytes: input.maxBytes,
      }));
    try {
      const collectedAt = this.#now();
      const retainUntil = this.retainUntil(collectedAt);
      const blobKey = contentAddressedKey(spooled.sha256);
      await db(INTENTS)
        .insert({ blob_key: blobKey, created_at: collectedAt })
        .onConflict('blob_key')
        .merge();
      // Locked only once its row is committed: a locked blob whose row
      // never came could not be swept before its retention date.
      await blobs.putContentAddressed(spooled.open(), {
        sha256: spooled.sha256,
        sizeBytes: spooled.sizeBytes,
      });
      const id = randomUUID();
      await db.transaction(async trx => {
        await items.insert(
          {
            id,
            type: input.type,
            title: input.title,
            points: input.points,
            collector: input.collector,
            runId: input.runId,
            entityRef: input.entityRef,
            periodStart: input.periodStart,
            periodEnd: input.periodEnd,
            collectedAt,
            filedBy: input.filedBy,
            sha256: spooled.sha256,
            sizeBytes: spooled.sizeBytes,
            mediaType: input.mediaType,
            fileName: input.fileName,
            blobKey,
            cadence: input.cadence,
            retainUntil,
            summary: input.summary ?? {},
          },
          trx,
        );
        await audit.append(
          [
            {
              recordId: id,
              type: 'evidence.filed',
              actor: input.filedBy,
              at: collectedAt,
              data: {
                type: input.type,
                points: [...new Set(input.points)].sort(),
                sha256: spooled.sha256,
                sizeBytes: spooled.sizeBytes,
                collector: input.collector,
                runId: input.runId,
                entityRef: input.entityRef,
                periodStart: input.periodStart.toISOString(),
                periodEnd: input.periodEnd.toISOString(),
                retainUntil: retainUntil.toISOString(),
              },
            },
          ],
          trx,
        );
      });
      await audit.anchorHead();
      await this.#lock(blobKey);
      return (await items.get(id))!;
    } finally {
      if (!given) await spooled.remove();
    }
  }

  async get(id: string): Promise<ItemWithChain> {
    const item = await this.options.items.get(id);
    if (!item) throw new NotFoundError(`No evidence item ${id}`);
    const filed = (await this.options.audit.forRecord(id)).find(
      event => event.type === 'evidence.filed',
    );
    return {
      ...item,
      chain: filed ? { position: filed.seq, hash: filed.hash } : null,
    };
  }

  async openContent(
    id: string,
  ): Promise<{ item: EvidenceItem; content: Readable }> {
    const item = await this.options.items.get(id);
    const key = item && (await this.options.items.blobKeyOf(id));
    if (!item || !key) throw new NotFoundError(`No evidence item ${id}`);
    return { item, content: await this.options.blobs.get(key) };
  }

  /** The newest content of a type, for a collector comparing with its last run. */
  async latestContent(type: string, entityRef?: string) {
    const item = await this.options.items.latestOfType(type, entityRef);
    if (!item) return undefined;
    return {
      collectedAt: new Date(item.collectedAt),
      content: await this.options.blobs.getBuffer(item.blobKey),
    };
  }

  /**
   * Re-reads the file and hashes it, and checks the audit chain: that it
   * verifies, and that its filing event names the same hash.
   */
  async verify(id: string): Promise<ItemVerification> {
    const item = await this.get(id);
    const problems: string[] = [];
    let actual: string | null = null;
    try {
      const { content } = await this.openContent(id);
      const hash = createHash('sha256');
      for await (const chunk of content) hash.update(chunk as Buffer);
      actual = hash.digest('hex');
      if (actual !== item.sha256) {
        problems.push('the stored file does not have the recorded SHA-256');
      }
    } catch (error) {
      problems.push(
        `the stored file could not be read: ${(error as Error).message}`,
      );
    }
    const chain = await this.options.audit.verify();
    if (!chain.ok) problems.push('the audit chain does not verify');
    const filed = (await this.options.audit.forRecord(id)).find(
      event => event.type === 'evidence.filed',
    );
    if (!filed) problems.push('no filing event in the audit chain');
    else if (filed.data.sha256 !== item.sha256) {
      problems.push('the filing event names another SHA-256');
    }
    return {
      ok: problems.length === 0,
      sha256: { expected: item.sha256, actual },
      chain: { ok: chain.ok, position: filed?.seq ?? null },
      problems,
    };
  }

  async setLegalHold(
    id: string,
    hold: boolean,
    reason: string,
    actor: string,
  ): Promise<EvidenceItem> {
    const { db, items, audit } = this.options;
    await db.transaction(async trx => {
      const item = await items.get(id, trx);
      if (!item) throw new NotFoundError(`No evidence item ${id}`);
      if (item.legalHold === hold) return;
      await items.setLegalHold(id, hold, trx);
      await audit.append(
        [
          {
            recordId: id,
            type: hold ? 'evidence.hold_placed' : 'evidence.hold_released',
            actor,
            data: { reason },
          },
        ],
        trx,
      );
    });
    await audit.anchorHead();
    return (await items.get(id))!;
  }

  /**
   * Deletes an item whose retention has passed and that is not on hold; the
   * audit chain keeps a tombstone (what it was, its hash, who and why).
   * Anything earlier is refused with a ConflictError and changes nothing.
   */
  async delete(
    id: string,
    actor: string,
    reason: 'deleted' | 'expired' = 'deleted',
  ): Promise<void> {
    const { db, items, audit, blobs } = this.options;
    const now = this.#now();
    const blobKey = await db.transaction(async trx => {
      const item = await items.get(id, trx);
      if (!item) throw new NotFoundError(`No evidence item ${id}`);
      if (item.legalHold) {
        throw new ConflictError(
          `Evidence ${id} is under legal hold: it cannot be deleted until the hold is released`,
        );
      }
      if (new Date(item.retainUntil) > now) {
        throw new ConflictError(
          `Evidence ${id} is retained until ${item.retainUntil}: it cannot be deleted before then`,
        );
      }
      const key = (await items.blobKeyOf(id, trx))!;
      await items.delete(id, trx);
      await audit.append(
        [
          {
            recordId: id,
            type:
              reason === 'expired' ? 'evidence.expired' : 'evidence.deleted',
            actor,
            at: now,
            data: {
              type: item.type,
              points: item.points,
              sha256: item.sha256,
              sizeBytes: item.sizeBytes,
              collectedAt: item.collectedAt,
              retainUntil: item.retainUntil,
            },
          },
        ],
        trx,
      );
      return key;
    });
    await audit.anchorHead();
    if (!(await items.blobInUse(blobKey))) await blobs.delete(blobKey);
  }

  /** Deletes every item past retention and not on hold, leaving tombstones. Returns how many. */
  async expire(batch = 100): Promise<number> {
    let count = 0;
    for (const row of await this.options.items.expired(this.#now(), batch)) {
      await this.delete(row.id, 'evidence:retention', 'expired');
      count += 1;
    }
    return count;
  }

  /**
   * Sets the blob's retention to the latest of its rows', then forgets the
   * intent: from here the blob store refuses to delete it early too.
   */
  async #lock(blobKey: string): Promise<void> {
    const { db, blobs } = this.options;
    const row = (await db('evidence_items')
      .max({ until: 'retain_until' })
      .where({ blob_key: blobKey })
      .first()) as { until: Date | string | number | null } | undefined;
    if (row?.until) await blobs.retain(blobKey, new Date(iso(row.until)));
    await db(INTENTS).where({ blob_key: blobKey }).delete();
  }

  /**
   * Finishes what a process that died mid-filing left: for each intent older
   * than `olderThan`, a blob whose row was committed is locked, and a blob
   * no row refers to is deleted. Returns how many blobs were deleted.
   */
  async sweepIntents(olderThan: Date): Promise<number> {
    const { db, items, blobs } = this.options;
    const intents: Array<{ blob_key: string }> = await db(INTENTS)
      .select('blob_key')
      .where('created_at', '<', olderThan);
    let removed = 0;
    for (const { blob_key: key } of intents) {
      if (await items.blobInUse(key)) {
        await this.#lock(key);
      } else {
        await blobs.delete(key);
        await db(INTENTS).where({ blob_key: key }).delete();
        removed += 1;
      }
    }
    return removed;
  }
}
