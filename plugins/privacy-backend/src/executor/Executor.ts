import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  DsarRequest,
  Region,
  SourceResult,
} from '@internal/plugin-privacy-common';
import { randomUUID } from 'node:crypto';
import type { ExecutorTransitions } from '../requests/ExecutorTransitions';
import type { RequestStore } from '../requests/RequestStore';
import { buildExportArchive } from '../exports/bundle';
import { encryptBundle, serializeBundle } from '../crypto';
import type { RegionRuntime } from './RegionRuntime';
import type { NewExport, ResultStore } from './ResultStore';
import type { DataSource, SourceResolver } from './SourceResolver';
import { batchPerTurn } from '@internal/plugin-ops-node';
import { DAY_MS } from '@internal/plugin-ops-common';

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
      // Better to retry than to claim "no data": the catalog may still be loading.
      throw new Error(
        `No data sources with personal data are declared in region ${request.region}`,
      );
    }

    try {
      if (request.type === 'export') {
        await this.runExport(request, runtime, sources);
      } else {
        await this.runErasure(request, runtime, sources);
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
    request: DsarRequest,
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
          const result: SourceResult = {
            ...base,
            status: 'failed',
            records: 0,
            remaining: null,
            error: maskSubject((error as Error).message, request.subjectId),
            finishedAt: new Date().toISOString(),
          };
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
    request: DsarRequest,
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
    const { zip, manifest } = buildExportArchive(files, {
      requestId: request.id,
      subjectId: request.subjectId,
      region: request.region,
      createdAt: createdAt.toISOString(),
    });
    const sealed = serializeBundle(encryptBundle(zip, runtime.masterKey));
    const stored = await runtime.storage.put(
      `exports/${request.id}.zip.enc`,
      sealed,
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
            files: manifest.files.length,
            sha256: stored.sha256,
            keyId: runtime.masterKey.id,
          },
        },
      ],
    });
  }

  private async runErasure(
    request: DsarRequest,
    runtime: RegionRuntime,
    sources: DataSource[],
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
    await this.completions.load({
      requestId: request.id,
      sources: results,
      events: [
        {
          type: 'erasure.verified',
          actor: 'executor',
          data: { sources: sources.length, remaining: 0 },
        },
      ],
    });
  }
}
