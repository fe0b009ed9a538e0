import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { AuditChain } from '@internal/plugin-ops-node';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RegionRuntime } from '../executor/RegionRuntime';
import type {
  ExportDeletionReason,
  ResultStore,
  StoredExport,
} from '../executor/ResultStore';
import type { RequestStore } from '../requests/RequestStore';
import {
  ExportIntegrityError,
  createDigestCheck,
  deleteStoredBundle,
  exportBlobKey,
  verifyStoredBundle,
} from './bundleStorage';
import { createBundleOpenStream } from './sealedStream';

/**
 * What a download yields: the decrypted zip as a stream, the time its link
 * expired, or the time and reason its bundle was deleted from storage.
 */
export type ExportDownload =
  | { status: 'ok'; requestId: string; zip: Readable }
  | { status: 'expired'; expiresAt: string }
  | { status: 'deleted'; deletedAt: string; reason: ExportDeletionReason };

/** Expired bundles deleted per batch of a purge. */
const PURGE_BATCH = 200;

/**
 * Serves export bundles and deletes expired ones.
 *
 * A download is checked twice. First the stored bundle is read once and its
 * SHA-256 and size compared with the export row's (recorded when it was
 * written): a bundle altered in storage is refused with an
 * ExportIntegrityError (500, and an `export.integrity_failed` audit event)
 * before a byte is sent, so the client sees an error, not a zip. Then it is
 * streamed again from storage through a second digest check and the
 * decryption to the client: every 64 KiB segment is authenticated before it
 * is released, and should the stored bytes change between the two reads,
 * the stream errors (the response is cut off, never completed) instead of
 * ending. Checking before streaming costs a second read of the object but
 * gives a clean refusal for the case that matters, tampering at rest;
 * checking only at the end would have sent a 200 and most of the zip first.
 */
export class ExportService {
  constructor(
    private readonly deps: {
      results: Pick<
        ResultStore,
        'exportById' | 'expiredExports' | 'markExportsDeleted'
      >;
      store: Pick<RequestStore, 'get'>;
      regions: Map<string, RegionRuntime>;
      audit: Pick<AuditChain, 'append'>;
      logger?: LoggerService;
    },
  ) {}

  async download(exportId: string, actor: string): Promise<ExportDownload> {
    const exported = await this.deps.results.exportById(exportId);
    if (!exported) throw new NotFoundError(`No export with id ${exportId}`);
    if (exported.deletedAt && exported.deletedReason) {
      return {
        status: 'deleted',
        deletedAt: exported.deletedAt,
        reason: exported.deletedReason,
      };
    }
    const now = new Date();
    if (Date.parse(exported.expiresAt) < now.getTime()) {
      return { status: 'expired', expiresAt: exported.expiresAt };
    }
    const request = await this.deps.store.get(exported.requestId);
    const runtime = request && this.deps.regions.get(request.region);
    if (!request || !runtime) {
      throw new NotFoundError(`No export with id ${exportId}`);
    }
    const key = exportBlobKey(request.id);
    const expected = { sha256: exported.sha256, sizeBytes: exported.sizeBytes };
    try {
      await verifyStoredBundle(runtime.storage, key, expected);
    } catch (error) {
      if (error instanceof ExportIntegrityError) {
        await this.deps.audit.append([
          {
            recordId: request.id,
            type: 'export.integrity_failed',
            actor,
            data: { exportId: exported.id, expectedSha256: exported.sha256 },
          },
        ]);
      }
      throw error;
    }

    const stored = await runtime.storage.get(key);
    const zip = new PassThrough();
    // Errors of any stage destroy `zip` with that error; the router's
    // pipeline to the response then cuts the response off.
    pipeline(
      stored,
      createDigestCheck(key, expected),
      createBundleOpenStream(runtime.keyring),
      zip,
    ).catch(() => {});
    await this.deps.audit.append([
      {
        recordId: request.id,
        type: 'export.downloaded',
        actor,
        data: { exportId: exported.id },
      },
    ]);
    return { status: 'ok', requestId: request.id, zip };
  }

  /**
   * Deletes from storage every bundle whose download link expired before
   * `now`, marks its row (a download answers 410) and records an
   * `export.purged` audit event per bundle. A bundle that cannot be deleted
   * (its store fails, its region is gone from config) is left for the next
   * purge and counted in `failed`. Run on a schedule by the plugin.
   */
  async purgeExpired(
    now: Date = new Date(),
  ): Promise<{ purged: number; failed: number }> {
    let purged = 0;
    const failed = new Set<string>();
    for (;;) {
      const batch = (
        await this.deps.results.expiredExports(now, PURGE_BATCH + failed.size)
      ).filter(exported => !failed.has(exported.id));
      if (batch.length === 0) break;
      const outcomes = await Promise.all(
        batch.map(exported => this.deleteExpired(exported)),
      );
      const deleted = batch.filter((_, i) => outcomes[i]);
      batch.forEach((exported, i) => {
        if (!outcomes[i]) failed.add(exported.id);
      });
      if (deleted.length === 0) continue;
      await this.deps.results.markExportsDeleted(
        deleted.map(exported => exported.id),
        { reason: 'expired', at: new Date() },
      );
      await this.deps.audit.append(
        deleted.map(exported => ({
          recordId: exported.requestId,
          type: 'export.purged',
          actor: 'privacy-purge-exports',
          data: {
            exportId: exported.id,
            reason: 'expired',
            expiresAt: exported.expiresAt,
          },
        })),
      );
      purged += deleted.length;
    }
    return { purged, failed: failed.size };
  }

  /** Deletes one expired bundle from its store; false (logged) when it could not. */
  private async deleteExpired(exported: StoredExport): Promise<boolean> {
    try {
      const storage = this.deps.regions.get(exported.region)?.storage;
      if (!storage) {
        throw new Error(`region ${exported.region} has no storage`);
      }
      if (!(await deleteStoredBundle(storage, exported.requestId))) {
        throw new Error('still stored after deletion');
      }
      return true;
    } catch (error) {
      this.deps.logger?.warn(
        `Could not purge expired export ${exported.id}: ${
          (error as Error).message
        }`,
      );
      return false;
    }
  }
}
