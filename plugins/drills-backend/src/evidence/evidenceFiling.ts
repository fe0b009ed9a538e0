import { drillEvidenceFileName } from '@internal/plugin-drills-common';
import {
  classifyHttpStatus,
  type DeliveryResult,
  type Outbox,
  type OutboxDeliverer,
} from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { z } from 'zod';
import { evidenceDeliveryKey } from '../runs/RunService';
import type { RunView } from '../runs/types';

/** The outbox target the evidence filing goes to. */
export const EVIDENCE_FILING_TARGET = 'evidence';

/** The evidence collector that files finished drill runs. */
const COLLECTOR_ID = 'incident-drills';

/** The evidence type of a drill run's item. */
const ITEM_TYPE = 'incident-drill';

/** The evidence plugin refuses a longer `q`. */
const MAX_QUERY_LENGTH = 100;

/** The file name the evidence plugin files a run under (the contract's). */
export const evidenceFileName = drillEvidenceFileName;

/** What an evidence filing delivery carries. */
export const evidenceFilingPayloadSchema = z.object({
  runId: z.string().min(1),
  fileName: z.string().min(1),
});
export type EvidenceFilingPayload = z.infer<typeof evidenceFilingPayloadSchema>;

/**
 * Enqueues the evidence filing of a finished run, in the transaction that
 * finishes it (RunService's `onFinished`), so that it exists if and only if
 * the run finished. A second call for the same run creates nothing.
 * Returns how many deliveries were created (1 or 0).
 */
export async function enqueueEvidenceFiling(
  outbox: Outbox,
  run: RunView,
  tx: Knex | Knex.Transaction,
): Promise<number> {
  if (run.state !== 'finished') {
    throw new TypeError(
      `Only a finished run is filed as evidence; run ${run.id} is ${run.state}`,
    );
  }
  const payload: EvidenceFilingPayload = {
    runId: run.id,
    fileName: evidenceFileName(run.id),
  };
  return outbox.enqueue(
    [
      {
        idempotencyKey: evidenceDeliveryKey(run.id),
        target: EVIDENCE_FILING_TARGET,
        payload,
      },
    ],
    tx,
  );
}

// The few answers of the evidence plugin's API this reads (its types live in
// @internal/plugin-evidence-common, which this package does not depend on).
const itemPageSchema = z.object({
  items: z.array(z.object({ id: z.string(), fileName: z.string() })),
});
const collectorRunSchema = z.object({
  id: z.string().min(1),
  state: z.string(),
  error: z.string().nullish(),
});
type CollectorRun = z.infer<typeof collectorRunSchema>;

export interface EvidenceFilingDelivererOptions {
  /** The evidence plugin's base URL, e.g. from the discovery service. */
  baseUrl: () => Promise<string>;
  /** Headers of every request, e.g. a plugin request token for `evidence`. */
  headers: () => Promise<Record<string, string>>;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Records the item a run was filed as; called again on a repeated delivery, so it must be idempotent. */
  recordFiled: (runId: string, itemId: string) => Promise<void>;
  /** Wait between reads of the collector run. Default 500 ms. */
  pollIntervalMs?: number;
  /** How long the collector run is waited for. Default 60 000 ms. */
  timeoutMs?: number;
  /** Each request fails (and is retried) without an answer by then. Default 10 000 ms. */
  requestTimeoutMs?: number;
}

/** A request that failed: what the delivery reports. */
class Failed {
  constructor(readonly result: DeliveryResult) {}
}

/** The name of a network error, never its URL. */
function networkErrorName(error: unknown): string {
  const { name, cause } = (error ?? {}) as {
    name?: unknown;
    cause?: { code?: unknown };
  };
  if (name === 'TimeoutError') return 'timed out';
  if (typeof cause?.code === 'string') return cause.code;
  return typeof name === 'string' ? name : 'unknown error';
}

/** A collector's error text, short and without URLs. */
const describeRunError = (error: string) =>
  error.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>').slice(0, 300);

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Files a finished run as evidence through the evidence plugin's HTTP API,
 * exactly once however often it is delivered: if the run's item exists
 * already it is only recorded; otherwise the incident drills collector is
 * run, waited for, and the item looked up again. Network errors, 408, 425,
 * 429 and 5xx are retried (with the answer's Retry-After); other refusals
 * are permanent. Error texts say what was being done and the status, never
 * a URL or a body.
 */
export function evidenceFilingDeliverer(
  options: EvidenceFilingDelivererOptions,
): OutboxDeliverer {
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;

  async function call<T>(
    request: { method: 'GET' | 'POST'; path: string; body?: unknown },
    schema: z.ZodType<T>,
    doing: string,
    idempotencyKey: string,
  ): Promise<T> {
    let response: Response;
    try {
      const base = (await options.baseUrl()).replace(/\/+$/, '');
      const headers = new Headers(await options.headers());
      headers.set('accept', 'application/json');
      headers.set('idempotency-key', idempotencyKey);
      if (request.body !== undefined) {
        headers.set('content-type', 'application/json');
      }
      response = await (options.fetch ?? fetch)(`${base}${request.path}`, {
        method: request.method,
        headers,
        body:
          request.body === undefined ? undefined : JSON.stringify(request.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new Failed({
        outcome: 'retry',
        error: `HTTP request failed (${networkErrorName(error)}) ${doing}`,
      });
    }
    const status = response.status;
    const outcome = classifyHttpStatus(status);
    if (outcome !== 'delivered') {
      await response.body?.cancel().catch(() => {});
      const error = `HTTP ${status} ${doing}`;
      throw new Failed(
        outcome === 'retry'
          ? {
              outcome: 'retry',
              status,
              error,
              retryAfter: response.headers.get('retry-after') ?? undefined,
            }
          : { outcome: 'permanent', status, error },
      );
    }
    let parsed: z.SafeParseReturnType<unknown, T>;
    try {
      parsed = schema.safeParse(await response.json());
    } catch {
      parsed = { success: false } as z.SafeParseReturnType<unknown, T>;
    }
    if (!parsed.success) {
      throw new Failed({
        outcome: 'retry',
        status,
        error: `Unexpected answer of the evidence plugin (HTTP ${status}) ${doing}`,
      });
    }
    return parsed.data;
  }

  async function findItem(
    fileName: string,
    key: string,
  ): Promise<string | undefined> {
    const query = new URLSearchParams({
      type: ITEM_TYPE,
      q: fileName.slice(0, MAX_QUERY_LENGTH),
      limit: '5',
    });
    const page = await call(
      { method: 'GET', path: `/items?${query}` },
      itemPageSchema,
      'while looking up the evidence item',
      key,
    );
    return page.items.find(item => item.fileName === fileName)?.id;
  }

  async function runCollector(key: string): Promise<CollectorRun> {
    let run = await call(
      { method: 'POST', path: `/collectors/${COLLECTOR_ID}/runs`, body: {} },
      collectorRunSchema,
      `while starting the ${COLLECTOR_ID} collector`,
      key,
    );
    const deadline = Date.now() + timeoutMs;
    while (run.state === 'queued' || run.state === 'running') {
      if (Date.now() >= deadline) {
        throw new Failed({
          outcome: 'retry',
          error: `The ${COLLECTOR_ID} collector run ${run.id} was still ${run.state} after ${timeoutMs} ms`,
        });
      }
      await sleep(pollIntervalMs);
      run = await call(
        { method: 'GET', path: `/runs/${encodeURIComponent(run.id)}` },
        collectorRunSchema,
        `while waiting for the ${COLLECTOR_ID} collector run`,
        key,
      );
    }
    return run;
  }

  return {
    async deliver(attempt): Promise<DeliveryResult> {
      const payload = evidenceFilingPayloadSchema.safeParse(attempt.payload);
      if (!payload.success) {
        return {
          outcome: 'permanent',
          error: 'Invalid evidence filing payload (needs runId and fileName)',
        };
      }
      const { runId, fileName } = payload.data;
      const key = attempt.idempotencyKey;
      try {
        let itemId = await findItem(fileName, key);
        if (!itemId) {
          const run = await runCollector(key);
          itemId = await findItem(fileName, key);
          if (!itemId) {
            return {
              outcome: 'retry',
              error: `The ${COLLECTOR_ID} collector run ${run.id} ${run.state}${
                run.error ? ` (${describeRunError(run.error)})` : ''
              } and no item ${fileName} was filed`,
            };
          }
        }
        await options.recordFiled(runId, itemId);
        return { outcome: 'delivered', status: 200 };
      } catch (error) {
        if (error instanceof Failed) return error.result;
        throw error;
      }
    },
  };
}
