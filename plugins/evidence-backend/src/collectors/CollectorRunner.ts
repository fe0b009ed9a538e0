import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  CollectorInfo,
  CollectorRun,
  CollectorTrigger,
  EVIDENCE_TYPES,
} from '@internal/plugin-evidence-common';
import {
  CollectedEvidence,
  EvidenceCollector,
  PartialCollectionError,
} from '@internal/plugin-evidence-node';
import {
  plainFileNameSchema,
  type AuditChain,
} from '@internal/plugin-ops-node';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { EvidenceService } from '../items/EvidenceService';
import type { RunStore } from '../store/RunStore';

/** How often a running collector's log is saved. */
const LOG_SAVE_INTERVAL_MS = 2_000;

/** Default time a collector run may take. */
export const DEFAULT_COLLECTOR_TIMEOUT_MS = 10 * 60 * 1000;

const dateSchema = z
  .date()
  .refine(d => !Number.isNaN(d.getTime()), 'invalid date');

function collectedSchema(knownPoints: Set<string>) {
  return z
    .array(
      z.object({
        type: z.string().min(1).max(100),
        title: z.string().min(1).max(500),
        points: z
          .array(
            z.string().refine(
              p => knownPoints.has(p),
              p => ({
                message: `unknown point ${p}`,
              }),
            ),
          )
          .optional(),
        entityRef: z.string().min(1).max(255).optional(),
        period: z
          .object({ start: dateSchema, end: dateSchema })
          .refine(p => p.start <= p.end, 'the period ends before it starts'),
        fileName: plainFileNameSchema,
        mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a media type'),
        content: z.custom<CollectedEvidence['content']>(
          value =>
            typeof value === 'string' ||
            Buffer.isBuffer(value) ||
            value instanceof Readable,
          'a string, a Buffer or a stream',
        ),
        summary: z.record(z.unknown()).optional(),
      }),
    )
    .max(10_000);
}

export interface RunRequest {
  trigger: CollectorTrigger;
  entityRef?: string;
  requestedBy: string;
}

/**
 * Runs collectors and records every run. A run's outcome, log and filed
 * evidence are kept; a collector that throws, passes its timeout or returns
 * something that is not a list of evidence leaves a failed run, and the
 * others are not affected.
 */
export class CollectorRunner {
  readonly #collectors = new Map<string, EvidenceCollector>();
  readonly #running = new Map<string, Promise<CollectorRun>>();
  readonly #shutdown = new AbortController();

  constructor(
    private readonly options: {
      runs: RunStore;
      evidence: EvidenceService;
      audit: AuditChain;
      logger: LoggerService;
      knownPoints: Set<string>;
      clock?: () => Date;
    },
  ) {}

  add(collector: EvidenceCollector) {
    if (this.#collectors.has(collector.id)) {
      throw new Error(`Two evidence collectors have the id ${collector.id}`);
    }
    for (const point of collector.points) {
      if (!this.options.knownPoints.has(point)) {
        throw new Error(
          `Evidence collector ${collector.id} names unknown point ${point}; add it to evidence.criteria`,
        );
      }
    }
    this.#collectors.set(collector.id, collector);
  }

  collectors(): EvidenceCollector[] {
    return [...this.#collectors.values()];
  }

  /** Per point, the collectors whose evidence supports it. */
  collectorsByPoint(): Map<string, string[]> {
    const byPoint = new Map<string, string[]>();
    for (const collector of this.#collectors.values()) {
      for (const point of collector.points) {
        byPoint.set(point, [...(byPoint.get(point) ?? []), collector.id]);
      }
    }
    return byPoint;
  }

  async info(): Promise<CollectorInfo[]> {
    const latest = await this.options.runs.latestPerCollector();
    return this.collectors().map(c => ({
      id: c.id,
      title: c.title,
      description: c.description,
      points: c.points,
      cadence: c.cadence,
      perEntity: Boolean(c.perEntity),
      lastRun: latest.get(c.id) ?? null,
    }));
  }

  #get(id: string): EvidenceCollector {
    const collector = this.#collectors.get(id);
    if (!collector) throw new NotFoundError(`No evidence collector ${id}`);
    return collector;
  }

  /**
   * Starts a run and answers at once with it (running); the run goes on in
   * the background. A run of the same collector and entity already going is
   * answered instead of starting a second.
   */
  async start(collectorId: string, request: RunRequest): Promise<CollectorRun> {
    const collector = this.#get(collectorId);
    if (request.entityRef && !collector.perEntity) {
      throw new InputError(
        `Collector ${collectorId} collects for the whole portal, not for one entity`,
      );
    }
    const key = `${collectorId}\n${request.entityRef ?? ''}`;
    const going = this.#running.get(key);
    if (going) {
      const run = await this.options.runs.get(await going.then(r => r.id));
      if (run) return run;
    }
    const run = await this.options.runs.start({
      id: randomUUID(),
      collector: collectorId,
      trigger: request.trigger,
      entityRef: request.entityRef ?? null,
      requestedBy: request.requestedBy,
      startedAt: this.#now(),
    });
    const done = this.#execute(collector, run, request).finally(() =>
      this.#running.delete(key),
    );
    this.#running.set(
      key,
      done.then(() => run),
    );
    done.catch(() => {});
    return run;
  }

  /** Runs a collector to its end and answers the finished run. */
  async run(collectorId: string, request: RunRequest): Promise<CollectorRun> {
    const started = await this.start(collectorId, request);
    await this.#running.get(`${collectorId}\n${request.entityRef ?? ''}`);
    return (await this.options.runs.get(started.id))!;
  }

  /** Every registered collector, one after another; a failure never stops the rest. */
  async runAll(request: RunRequest): Promise<CollectorRun[]> {
    const results: CollectorRun[] = [];
    for (const collector of this.collectors()) {
      results.push(await this.run(collector.id, request));
    }
    return results;
  }

  /** Aborts runs in progress (backend shutdown) and waits for them to be recorded. */
  async stop(): Promise<void> {
    this.#shutdown.abort(new Error('the backend is shutting down'));
    await Promise.allSettled(this.#running.values());
  }

  #now() {
    return this.options.clock?.() ?? new Date();
  }

  async #execute(
    collector: EvidenceCollector,
    run: CollectorRun,
    request: RunRequest,
  ): Promise<void> {
    const lines: string[] = [];
    const log = (message: string) =>
      lines.push(`${new Date().toISOString()} ${message}`);
    const timeoutMs = collector.timeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS;
    const abort = new AbortController();
    const onShutdown = () => abort.abort(this.#shutdown.signal.reason);
    this.#shutdown.signal.addEventListener('abort', onShutdown);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`timed out after ${timeoutMs} ms`);
        abort.abort(error);
        reject(error);
      }, timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) =>
      abort.signal.addEventListener('abort', () =>
        reject(abort.signal.reason ?? new Error('aborted')),
      ),
    );
    let filed = 0;
    let error: Error | undefined;
    // The log so far is saved every few seconds: a run cut short by a crash
    // keeps what it had logged.
    let saved = 0;
    const saver = setInterval(() => {
      if (lines.length === saved) return;
      saved = lines.length;
      this.options.runs.saveLog(run.id, lines.join('\n')).catch(() => {});
    }, LOG_SAVE_INTERVAL_MS);
    saver.unref();
    log(
      `run ${run.id} of ${collector.id} started (${request.trigger}${
        request.entityRef ? `, ${request.entityRef}` : ''
      })`,
    );
    const fileAll = async (output: unknown) => {
      const parsed = collectedSchema(this.options.knownPoints).safeParse(
        output,
      );
      if (!parsed.success) {
        throw new Error(
          `the collector returned something that is not a list of evidence: ${parsed.error.issues
            .slice(0, 5)
            .map(i => `${i.path.join('.') || '(output)'}: ${i.message}`)
            .join('; ')}`,
        );
      }
      for (const evidence of parsed.data) {
        const points = evidence.points ?? collector.points;
        await this.options.evidence.file({
          type: evidence.type,
          title: evidence.title,
          points,
          cadence: EVIDENCE_TYPES[evidence.type]?.cadence ?? collector.cadence,
          collector: collector.id,
          runId: run.id,
          entityRef: evidence.entityRef ?? request.entityRef ?? null,
          periodStart: evidence.period.start,
          periodEnd: evidence.period.end,
          filedBy: `collector:${collector.id}`,
          fileName: evidence.fileName,
          mediaType: evidence.mediaType,
          content: evidence.content,
          summary: evidence.summary,
        });
        filed += 1;
        log(
          `filed ${evidence.type} ${evidence.fileName} (${points.join(', ')})`,
        );
      }
    };
    try {
      let output: unknown;
      try {
        output = await Promise.race([
          collector.collect({
            log,
            signal: abort.signal,
            now: this.#now(),
            entityRef: request.entityRef,
            previous: type =>
              this.options.evidence.latestContent(type, request.entityRef),
          }),
          timedOut,
          aborted,
        ]);
      } catch (e) {
        if (e instanceof PartialCollectionError) {
          log(
            `failed, filing the ${e.evidence.length} items it still collected`,
          );
          await fileAll(e.evidence);
        }
        throw e;
      }
      await fileAll(output);
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
      log(`failed: ${error.message}`);
    } finally {
      clearInterval(saver);
      clearTimeout(timer);
      this.#shutdown.signal.removeEventListener('abort', onShutdown);
    }
    const state = error ? 'failed' : 'succeeded';
    log(`run ${state}, ${filed} evidence items filed`);
    try {
      await this.options.runs.finish(run.id, {
        state,
        finishedAt: this.#now(),
        itemCount: filed,
        error: error ? error.message.slice(0, 2000) : null,
        log: lines.join('\n'),
      });
      await this.options.audit.append([
        {
          recordId: run.id,
          type: `collector.run_${state}`,
          actor: request.requestedBy,
          data: {
            collector: collector.id,
            trigger: request.trigger,
            entityRef: request.entityRef ?? null,
            itemCount: filed,
          },
        },
      ]);
    } catch (recordError) {
      this.options.logger.error(
        `Could not record the end of evidence collector run ${run.id}: ${recordError}`,
      );
    }
    if (error) {
      this.options.logger.warn(
        `Evidence collector ${collector.id} run ${run.id} failed: ${error.message}`,
      );
    }
  }
}
