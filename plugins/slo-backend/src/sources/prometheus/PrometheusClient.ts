import { z } from 'zod';
import { errorMessage, FetchFn } from '../types';

/** Prometheus refuses a range query with more points than this per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;

const matrixSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(
      z.object({
        metric: z.record(z.string()),
        values: z.array(z.tuple([z.number(), z.string()])),
      }),
    ),
  }),
});

const errorSchema = z.object({
  status: z.literal('error'),
  errorType: z.string(),
  error: z.string(),
});

/** A failed query: Prometheus unreachable, too slow, answering an error or an unexpected body. */
export class PrometheusQueryError extends Error {
  constructor(
    message: string,
    /** Prometheus's `errorType` (`bad_data`, `timeout`, `execution`, ...), when it sent one. */
    readonly errorType?: string,
    /** The HTTP status, when an answer arrived. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

/**
 * A small client of `GET /api/v1/query_range`
 * (https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries).
 */
export class PrometheusClient {
  constructor(
    private readonly options: {
      fetch?: FetchFn;
      /** Per request, body included. Default 10 s. */
      timeoutMs?: number;
    } = {},
  ) {}

  /**
   * Evaluates `query` at `start`, `start + step`, ... up to `end` (both
   * inclusive, `step` in seconds) and answers, per evaluation time in epoch
   * milliseconds, the sum of the values of all series of the result. A time
   * where no series has a finite value is absent (a gap).
   */
  async queryRange(
    baseUrl: string,
    query: string,
    range: { start: Date; end: Date; stepSeconds: number },
  ): Promise<Map<number, number>> {
    const points =
      Math.floor(
        (range.end.getTime() - range.start.getTime()) /
          (range.stepSeconds * 1000),
      ) + 1;
    if (points > PROMETHEUS_MAX_POINTS) {
      throw new PrometheusQueryError(
        `a range of ${points} points exceeds Prometheus's limit of ${PROMETHEUS_MAX_POINTS}`,
      );
    }
    const url = new URL('api/v1/query_range', withSlash(baseUrl));
    url.searchParams.set('query', query);
    url.searchParams.set('start', String(range.start.getTime() / 1000));
    url.searchParams.set('end', String(range.end.getTime() / 1000));
    url.searchParams.set('step', `${range.stepSeconds}s`);

    const doFetch = this.options.fetch ?? fetch;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let status: number;
    let text: string;
    try {
      const response = await doFetch(url.toString(), {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new PrometheusQueryError(
        `Prometheus at ${url.origin} did not answer: ${errorMessage(error)}`,
      );
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new PrometheusQueryError(
        `Prometheus answered HTTP ${status} without JSON`,
        undefined,
        status,
      );
    }
    const failed = errorSchema.safeParse(body);
    if (failed.success) {
      throw new PrometheusQueryError(
        `Prometheus answered HTTP ${status}, ${failed.data.errorType}: ${failed.data.error}`,
        failed.data.errorType,
        status,
      );
    }
    if (status < 200 || status >= 300) {
      throw new PrometheusQueryError(
        `Prometheus answered HTTP ${status}`,
        undefined,
        status,
      );
    }
    const matrix = matrixSchema.safeParse(body);
    if (!matrix.success) {
      throw new PrometheusQueryError(
        `Prometheus answered an unexpected body (expected a matrix): ${matrix.error.issues[0]?.message}`,
        undefined,
        status,
      );
    }

    const sums = new Map<number, number>();
    for (const series of matrix.data.data.result) {
      for (const [seconds, value] of series.values) {
        const parsed = Number(value);
        if (!Number.isFinite(parsed)) continue; // NaN, +Inf: no usable point
        const at = Math.round(seconds * 1000);
        sums.set(at, (sums.get(at) ?? 0) + parsed);
      }
    }
    return sums;
  }
}

function withSlash(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}
