import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  Binder,
  BinderVerification,
} from '@internal/plugin-evidence-common';
import type {
  AuditChain,
  BlobStore,
  Page,
  PageQuery,
} from '@internal/plugin-ops-node';
import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { CoverageService } from '../coverage/CoverageService';
import type { BinderStore } from '../store/BinderStore';
import { toBinder } from '../store/BinderStore';
import type { ItemStore } from '../store/ItemStore';
import type { RunStore } from '../store/RunStore';
import { buildBinder } from './buildBinder';
import { verifyBinder } from './verifyBinder';

/** Progress is written to the row at most this often. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * Binders for the auditor. A request is a row; `buildPending` (the
 * scheduler's cluster-wide task, so one builder at a time) builds queued
 * binders, and rebuilds any left `building` by a process that stopped: a
 * binder is a pure function of its inputs, so a rebuild gives the same bytes.
 * The archive streams into the blob store, whose writes are atomic, and the
 * row turns `ready` only after it is stored: a half binder is never offered.
 */
export class BinderService {
  constructor(
    private readonly options: {
      binders: BinderStore;
      items: ItemStore;
      runs: RunStore;
      coverage: CoverageService;
      blobs: BlobStore;
      audit: AuditChain;
      signingKey: KeyObject;
      publicKeyPem: string;
      /** gzip level, 0-9; the builder's default (1) when unset. */
      compressionLevel?: number;
      logger: LoggerService;
      /** Asks for `buildPending` to run soon (the scheduler's trigger). */
      wake?: () => void;
      clock?: () => Date;
    },
  ) {}

  #now() {
    return this.options.clock?.() ?? new Date();
  }

  async request(input: {
    periodStart: Date;
    periodEnd: Date;
    points: string[];
    createdBy: string;
  }): Promise<Binder> {
    const id = randomUUID();
    const createdAt = this.#now();
    await this.options.binders.insert({
      id,
      ...input,
      points: [...new Set(input.points)].sort(),
      createdAt,
    });
    await this.options.audit.append([
      {
        recordId: id,
        type: 'binder.requested',
        actor: input.createdBy,
        at: createdAt,
        data: {
          periodStart: input.periodStart.toISOString(),
          periodEnd: input.periodEnd.toISOString(),
          points: input.points.length,
        },
      },
    ]);
    this.options.wake?.();
    return this.get(id);
  }

  async get(id: string): Promise<Binder> {
    const row = await this.options.binders.get(id);
    if (!row) throw new NotFoundError(`No binder ${id}`);
    return toBinder(row);
  }

  list(page: PageQuery): Promise<Page<Binder>> {
    return this.options.binders.list(page);
  }

  async open(id: string): Promise<{ binder: Binder; content: Readable }> {
    const row = await this.options.binders.get(id);
    if (!row) throw new NotFoundError(`No binder ${id}`);
    if (row.state !== 'ready' || !row.blob_key) {
      throw new ConflictError(`Binder ${id} is ${row.state}, not ready`);
    }
    return {
      binder: toBinder(row),
      content: await this.options.blobs.get(row.blob_key),
    };
  }

  /** Verifies a stored binder the way an auditor would, against the published key. */
  async verify(id: string): Promise<BinderVerification> {
    const { content } = await this.open(id);
    return verifyBinder(content, { publicKeyPem: this.options.publicKeyPem });
  }

  /** Builds every binder waiting, oldest first. Returns how many were built. */
  async buildPending(): Promise<number> {
    let built = 0;
    for (const row of await this.options.binders.unfinished()) {
      if (await this.#build(row.id)) built += 1;
    }
    return built;
  }

  async #build(id: string): Promise<boolean> {
    const { binders, items, runs, coverage, blobs, audit, logger } =
      this.options;
    const row = (await binders.get(id))!;
    const binder = toBinder(row);
    try {
      const files = await items.forPeriod(
        new Date(binder.periodStart),
        new Date(binder.periodEnd),
        binder.points,
      );
      const totalBytes = files.reduce((sum, f) => sum + f.sizeBytes, 0);
      await binders.startBuilding(id, {
        files: files.length,
        bytes: totalBytes,
      });
      const runIds = [
        ...new Set(files.map(f => f.runId).filter(Boolean)),
      ] as string[];
      const logs: string[] = [];
      for (const runId of runIds.sort()) {
        const run = await runs.get(runId);
        if (run) {
          logs.push(
            `== run ${run.id} of ${run.collector}, ${run.startedAt} to ${
              run.finishedAt
            }: ${run.state}\n${run.log ?? ''}`,
          );
        }
      }
      const report = await coverage.report();
      const points = new Set(binder.points);
      let lastWrite = 0;
      const out = new PassThrough();
      const key = `binders/${id}.tar.gz`;
      const storing = blobs.put(key, out);
      const building = buildBinder(
        {
          periodStart: binder.periodStart,
          periodEnd: binder.periodEnd,
          points: binder.points,
          generatedAt: binder.createdAt,
          coverage: {
            ...report,
            at: binder.createdAt,
            criteria: report.criteria
              .map(c => ({
                ...c,
                points: c.points.filter(p => points.has(p.id)),
              }))
              .filter(c => c.points.length > 0),
          },
          files: files.map(file => ({
            ...file,
            open: () => blobs.get(file.blobKey),
          })),
          collectionLog: logs.join('\n\n'),
          signingKey: this.options.signingKey,
          compressionLevel: this.options.compressionLevel,
        },
        out,
        progress => {
          const now = Date.now();
          if (now - lastWrite < PROGRESS_INTERVAL_MS) return;
          lastWrite = now;
          binders.progress(id, progress).catch(() => {});
        },
      ).catch(error => {
        out.destroy(error);
        throw error;
      });
      const [result, stored] = await Promise.all([building, storing]);
      await binders.ready(id, {
        blobKey: key,
        sha256: result.sha256,
        sizeBytes: stored.sizeBytes,
        at: this.#now(),
      });
      await audit.append([
        {
          recordId: id,
          type: 'binder.built',
          actor: 'evidence:binders',
          data: {
            sha256: result.sha256,
            sizeBytes: stored.sizeBytes,
            files: files.length,
          },
        },
      ]);
      return true;
    } catch (error) {
      logger.warn(`Binder ${id} failed: ${error}`);
      await binders.failed(
        id,
        String((error as Error)?.message ?? error),
        this.#now(),
      );
      return false;
    }
  }
}
