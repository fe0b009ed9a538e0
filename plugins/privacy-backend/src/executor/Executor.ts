import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Region, SourceResult } from '@internal/plugin-privacy-common';
import { randomUUID } from 'node:crypto';
import type { ExecutorTransitions } from '../requests/ExecutorTransitions';
import type { RequestStore, StoredRequest } from '../requests/RequestStore';
import { streamExportArchive } from '../exports/bundle';
import { deleteStoredBundle, exportBlobKey } from '../exports/bundleStorage';
import { createBundleSealStream } from '../exports/sealedStream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { RegionRuntime } from './RegionRuntime';
import type { NewExport, ResultStore } from './ResultStore';
import type { DataSource, SourceResolver } from './SourceResolver';
import { batchPerTurn } from '@internal/plugin-ops-node';
import { DAY_MS } from '@internal/plugin-ops-common';

/** The erasure proof's entry for the export bundles in blob storage. */
export const EXPORT_BUNDLES_SOURCE = 'export-bundles';
const EXPORT_BUNDLES_CONNECTION = 'storage';

/** What a finished run writes: its sources' results, its export, its events. */
interface Completion {
  requestId: string;
  sources: SourceResult[];
  export?: NewExport;
  events: Array<{ type: string; actor: string; data: Record<string, unknown> }>;
}

/**
 * A data store's error may quote the subject id (a failed query, say). Error
 * text is kept in the request, its source results and the append-only audit
 * log, so the id is masked before it goes anywhere.
 */
export function maskSubject(message: string, subjectId: string): string {
  return message.split(subjectId).join('[subject]');
}

/**
 * Runs one request against the data sources of its region. Safe to run
 * again for the same request (after a crash or a retry): sources are
 * re-read, the export bundle is rewritten under the same key and the
 * completion is a compare-and-set, so a request completes exactly once.
 * Throws when any source failed, so the queue retries it.
 */
export class Executor {
  constructor(
    private readonly deps: {
      transitions: ExecutorTransitions;
      store: RequestStore;
      results: ResultStore;
      sources: SourceResolver;
      regions: Map<Region, RegionRuntime>;
      exportLinkDays: number;
      logger: LoggerService;
    },
  ) {}

  /**
   * Completions asked for within one turn of the event loop (workers
   * finishing at once) become one atomic write: their source results,
   * export rows, state changes and audit events. A request that is no
   * longer running (canceled meanwhile) resolves false and records nothing
   * but its results. No caching.
   */
  private readonly completions = batchPerTurn<Completion, boolean>(
    async batch => {
      // The same request twice in a batch: its last completion wins.
      const byId = new Map(batch.map(c => [c.requestId, c]));
      const unique = [...byId.values()];
      const exports = unique.flatMap(c => (c.export ? [c.export] : []));
      const completed = await this.deps.transitions.completeMany(
        unique.map(c => c.requestId),
        {
          before: [
            this.deps.results.sourcesUpsert(
              unique.map(c => ({ requestId: c.requestId, results: c.sources })),
            ),
            ...(exports.length
              ? [this.deps.results.exportsUpsert(exports)]
              : []),
          ],
          eventsById: Object.fromEntries(
            unique.map(c => [c.requestId, c.events]),
          ),
        },
      );
      return batch.map(c => completed.has(c.requestId));
    },
  );

  async run(requestId: string): Promise<void> {
    const row = await this.deps.transitions.start(requestId);
    if (!row) return; // canceled, completed or unknown: nothing to do
    const request = this.deps.store.toRequest(row);
    const runtime = this.deps.regions.get(request.region);
    if (!runtime)
      throw new Error(`No privacy runtime for region ${request.region}`);
    const sources = await this.deps.sources.sourcesIn(request.region);
    if (sources.length === 0) {
      // Never claim "no data" for a region with no store in force.
      throw new Error(
        `No data store connections are configured in region ${request.region}`,
      );
    }

    try {
      if (request.type === 'export') {
        await this.runExport(request, runtime, sources);
      } else {
        await this.runErasure(request, runtime, sources, row.subject_hash);
      }
    } catch (error) {
      throw new Error(maskSubject((error as Error).message, request.subjectId));
    }
  }

  private connectorFor(runtime: RegionRuntime, source: DataSource) {
    const connector = runtime.connectors.get(source.connection);
    if (!connector) {
      throw new Error(
        `connection ${source.connection} is not configured in region ${runtime.region}`,
      );
    }
    return connector;
  }

  /**
   * Runs `work` for every source at once and returns each one's result. When
   * any failed, the results are saved (so the request page shows which) and
   * it throws; otherwise the caller saves them with the completion, in one
   * transaction.
   */
  private async eachSource<T>(
    request: StoredRequest,
    sources: DataSource[],
    work: (source: DataSource) => Promise<{
      value: T;
      records: number;
      remaining: number | null;
    }>,
  ): Promise<{ values: T[]; results: SourceResult[] }> {
    const outcomes = await Promise.all(
      sources.map(async source => {
        const base = {
          source: source.entityRef,
          connection: source.connection,
        };
        try {
          const { value, records, remaining } = await work(source);
          const result: SourceResult = {
            ...base,
            records,
            remaining,
            status: 'done',
            error: null,
            finishedAt: new Date().toISOString(),
          };
          return { value, result };
        } catch (error) {
          const result = failedResult(base, error, request.subjectId);
          return { value: undefined, result };
        }
      }),
    );
    const results = outcomes.map(outcome => outcome.result);
    const failures = results.filter(result => result.status === 'failed');
    if (failures.length) {
      await this.deps.results.saveSources(request.id, results);
      throw new Error(
        `${failures.length} of ${sources.length} sources failed: ${failures
          .map(result => `${result.source}: ${result.error}`)
          .join('; ')}`,
      );
    }
    return { values: outcomes.map(outcome => outcome.value as T), results };
  }

  private async runExport(
    request: StoredRequest,
    runtime: RegionRuntime,
    sources: DataSource[],
  ) {
    const { values: files, results } = await this.eachSource(
      request,
      sources,
      async source => {
        const records = await this.connectorFor(runtime, source).exportSubject(
          request.subjectId,
        );
        return {
          value: { source: source.entityRef, records },
          records: Object.values(records).reduce(
            (n, rows) => n + rows.length,
            0,
          ),
          remaining: null,
        };
      },
    );

    const createdAt = new Date();
    // Zipped, encrypted and written as one stream: the bundle is never
    // whole in memory. The store hashes the ciphertext on the way; that
    // SHA-256 is recorded and checked at every download.
    const stored = await this.writeBundle(
      runtime,
      exportBlobKey(request.id),
      streamExportArchive(files, {
        requestId: request.id,
        subjectId: request.subjectId,
        region: request.region,
        createdAt: createdAt.toISOString(),
      }),
    );

    await this.completions.load({
      requestId: request.id,
      sources: results,
      // A re-run replaces the export row but keeps its id.
      export: {
        id: randomUUID(),
        requestId: request.id,
        location: stored.location,
        sha256: stored.sha256,
        sizeBytes: stored.sizeBytes,
        keyId: runtime.masterKey.id,
        createdAt,
        expiresAt: new Date(
          createdAt.getTime() + this.deps.exportLinkDays * DAY_MS,
        ),
      },
      events: [
        {
          type: 'export.created',
          actor: 'executor',
          data: {
            files: files.length,
            sha256: stored.sha256,
            keyId: runtime.masterKey.id,
          },
        },
      ],
    });
  }

  /**
   * Streams the archive through encryption into the region's store and
   * returns what the store wrote (its SHA-256 is of the ciphertext, as
   * stored). A failure on either side stops both: no bundle is stored.
   */
  private async writeBundle(
    runtime: RegionRuntime,
    key: string,
    archive: Readable,
  ) {
    const sealed = createBundleSealStream(runtime.masterKey);
    const sealing = pipeline(archive, sealed);
    try {
      const stored = await runtime.storage.put(key, sealed);
      await sealing;
      return stored;
    } catch (error) {
      archive.destroy();
      sealed.destroy();
      await sealing.catch(() => {});
      throw error;
    }
  }

  private async runErasure(
    request: StoredRequest,
    runtime: RegionRuntime,
    sources: DataSource[],
    subjectHash: string,
  ) {
    const { results } = await this.eachSource(
      request,
      sources,
      async source => {
        const connector = this.connectorFor(runtime, source);
        const { affected } = await connector.eraseSubject(request.subjectId);
        // The proof: read the source back and find nothing of the subject.
        const remaining = await connector.countRemaining(request.subjectId);
        if (remaining > 0) {
          throw new Error(
            `${remaining} records of the subject remain after erasure`,
          );
        }
        return { value: undefined, records: affected, remaining };
      },
    );
    // The subject's export bundles are personal data too: delete them in
    // every region that stored one, and prove the store holds none.
    const bundles = await this.eraseExportBundles(request, subjectHash);
    const all = [...results, bundles.result];
    if (bundles.result.status === 'failed') {
      await this.deps.results.saveSources(request.id, all);
      throw new Error(
        `${EXPORT_BUNDLES_SOURCE}: ${bundles.result.error ?? 'failed'}`,
      );
    }
    await this.completions.load({
      requestId: request.id,
      sources: all,
      events: [
        ...(bundles.deletedIds.length
          ? [
              {
                type: 'export.erased',
                actor: 'executor',
                data: { exportIds: bundles.deletedIds },
              },
            ]
          : []),
        {
          type: 'erasure.verified',
          actor: 'executor',
          data: {
            sources: all.length,
            remaining: 0,
            exportBundles: {
              deleted: bundles.result.records,
              remaining: 0,
            },
          },
        },
      ],
    });
  }

  /**
   * Deletes every export bundle of the subject (same lookup hash, any
   * region) from its region's store, marks the export rows (a download then
   * answers 410 Gone), and reads each store back: the source result is the
   * proof, `records` the bundles this erasure deleted and `remaining` those
   * still found. Idempotent: a re-run deletes again and counts the same.
   */
  private async eraseExportBundles(
    request: StoredRequest,
    subjectHash: string,
  ): Promise<{ result: SourceResult; deletedIds: string[] }> {
    const base = {
      source: EXPORT_BUNDLES_SOURCE,
      connection: EXPORT_BUNDLES_CONNECTION,
    };
    try {
      const exports = await this.deps.results.exportsOfSubject(subjectHash);
      const problems: string[] = [];
      const deletedIds: string[] = [];
      let remaining = 0;
      await Promise.all(
        exports.map(async exported => {
          const storage = this.deps.regions.get(exported.region)?.storage;
          if (!storage) {
            remaining += 1;
            problems.push(
              `export ${exported.id}: region ${exported.region} has no storage configured`,
            );
            return;
          }
          if (await deleteStoredBundle(storage, exported.requestId)) {
            if (!exported.deletedAt || exported.deletedBy === request.id) {
              deletedIds.push(exported.id);
            }
          } else {
            remaining += 1;
            problems.push(`export ${exported.id}: still stored after deletion`);
          }
        }),
      );
      await this.deps.results.markExportsDeleted(deletedIds, {
        reason: 'erased',
        at: new Date(),
        by: request.id,
      });
      const finishedAt = new Date().toISOString();
      if (remaining > 0) {
        return {
          deletedIds,
          result: {
            ...base,
            status: 'failed',
            records: deletedIds.length,
            remaining,
            error: `${remaining} export bundles of the subject remain: ${problems.join(
              '; ',
            )}`,
            finishedAt,
          },
        };
      }
      deletedIds.sort();
      return {
        deletedIds,
        result: {
          ...base,
          status: 'done',
          records: deletedIds.length,
          remaining: 0,
          error: null,
          finishedAt,
        },
      };
    } catch (error) {
      return {
        deletedIds: [],
        result: failedResult(base, error, request.subjectId),
      };
    }
  }
}

/** The result of a source that threw: its error, the subject id masked. */
function failedResult(
  base: Pick<SourceResult, 'source' | 'connection'>,
  error: unknown,
  subjectId: string,
): SourceResult {
  return {
    ...base,
    status: 'failed',
    records: 0,
    remaining: null,
    error: maskSubject((error as Error).message, subjectId),
    finishedAt: new Date().toISOString(),
  };
}
